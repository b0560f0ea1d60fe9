// GET /dashboard/ and its two assets: the operator dashboard, a static page that signs in with an API key and then
// uses the REST API like the CLI does. The files themselves are public (they hold no data); every request the page
// makes to /api needs the key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PublicRoute } from '../security/api-key.guard.js';
import { dashboardContentSecurityPolicy } from './content-security-policy.js';
import { DASHBOARD_FILES, isDashboardFile, readDashboardFile, type DashboardFile } from './dashboard-bundle.js';

@ApiExcludeController()
@PublicRoute()
// Static files are not charged to the REST budget. The throttler is named 'rest' (security.module.ts): a bare
// @SkipThrottle() only skips one named 'default'.
@SkipThrottle({ rest: true })
@Controller('dashboard')
export class DashboardController {
  @Get()
  async index(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    // The page loads its assets by relative URL, so /dashboard must become /dashboard/ (relative: proxies may mount
    // the coordinator under a path).
    if (!(request.url ?? '').split('?')[0]!.endsWith('/')) {
      response.writeHead(308, { location: 'dashboard/' }).end();
      return;
    }
    await this.send('index.html', response);
  }

  @Get(':file')
  async asset(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    if (!isDashboardFile(file) || file === 'index.html') throw new NotFoundException(`no dashboard file ${file}`);
    await this.send(file, response);
  }

  private async send(file: DashboardFile, response: ServerResponse): Promise<void> {
    const body = await readDashboardFile(file);
    if (body === undefined) {
      throw new ServiceUnavailableException('the dashboard is not built: run `npm run build` (scripts/build-dashboard.mjs)');
    }
    response
      .writeHead(200, {
        'content-type': DASHBOARD_FILES[file],
        'content-length': body.length,
        'content-security-policy': dashboardContentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // Small files, rebuilt with the coordinator: revalidate rather than serve a stale page after an upgrade.
        'cache-control': 'no-cache',
      })
      .end(body);
  }
}
