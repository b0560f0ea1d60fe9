// Dataset files for browser devices, authenticated with the device credential: a directory's listing (names and
// SHA-256) and each file by its hash. See dataset-files.service.ts for what may be served.
import type { ServerResponse } from 'node:http';
import { BadRequestException, Controller, ForbiddenException, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../security/api-key.guard.js';
import { DatasetFilesError, DatasetFilesService, type DatasetListing } from './dataset-files.service.js';
import { DeviceHttpAuth } from './device-http-auth.js';
import { ISOLATION_HEADERS } from './isolation-headers.js';
import { sendFile } from './send-file.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

// Devices authenticate with their credential, not an operator API key.
@ApiExcludeController()
@PublicRoute()
@Controller('agent/api/datasets')
export class DatasetFilesController {
  constructor(
    private readonly files: DatasetFilesService,
    private readonly auth: DeviceHttpAuth,
  ) {}

  @Get('listing')
  async listing(@Headers() requestHeaders: Record<string, string | string[] | undefined>, @Query('directory') directory: unknown, @Res({ passthrough: true }) response: ServerResponse): Promise<DatasetListing> {
    await this.auth.authenticate(requestHeaders);
    if (typeof directory !== 'string' || directory === '') throw new BadRequestException('directory is required');
    try {
      const listing = await this.files.listing(directory);
      for (const [name, value] of Object.entries({ ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' })) response.setHeader(name, value);
      return listing;
    } catch (error) {
      if (!(error instanceof DatasetFilesError)) throw error;
      throw error.kind === 'forbidden' ? new ForbiddenException(error.message) : new NotFoundException(error.message);
    }
  }

  @Get('blobs/:sha256')
  async blob(@Headers() requestHeaders: Record<string, string | string[] | undefined>, @Param('sha256') sha256: string, @Res() response: ServerResponse): Promise<void> {
    await this.auth.authenticate(requestHeaders);
    if (!SHA256_HEX.test(sha256)) throw new BadRequestException('expected a lowercase hex SHA-256');
    const blob = await this.files.blob(sha256);
    if (blob === undefined) throw new NotFoundException(`no listed dataset file has SHA-256 ${sha256}`);
    const headers = {
      ...ISOLATION_HEADERS,
      'Content-Type': 'application/octet-stream',
      // Content-addressed: the bytes under this name never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
    };
    await sendFile(response, blob.path, headers, `dataset file ${sha256} is gone`);
  }
}
