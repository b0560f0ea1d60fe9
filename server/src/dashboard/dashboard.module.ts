import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller.js';

/** The operator dashboard at /dashboard/ (static files; the page talks to the REST API). */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
