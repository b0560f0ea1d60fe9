// A browser device's dataset shard, authenticated with the device credential: the manifest of its job (the
// shard's SHA-256 and size) and the shard's bytes by that hash. See dataset-shards.service.ts for what is served.
import type { ServerResponse } from 'node:http';
import { BadRequestException, Controller, ForbiddenException, Get, Headers, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../security/api-key.guard.js';
import { DatasetShardRefusal, DatasetShardService, type DatasetShardManifest } from './dataset-shards.service.js';
import { DeviceHttpAuth } from './device-http-auth.js';
import { ISOLATION_HEADERS } from './isolation-headers.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

type RequestHeaders = Record<string, string | string[] | undefined>;

// Devices authenticate with their credential, not an operator API key.
@ApiExcludeController()
@PublicRoute()
@Controller('agent/api/datasets')
export class DatasetShardsController {
  constructor(
    private readonly shards: DatasetShardService,
    private readonly auth: DeviceHttpAuth,
  ) {}

  @Get('jobs/:jobId/shard')
  async manifest(@Headers() requestHeaders: RequestHeaders, @Param('jobId') jobId: string, @Res({ passthrough: true }) response: ServerResponse): Promise<DatasetShardManifest> {
    const deviceId = await this.auth.authenticate(requestHeaders);
    try {
      const manifest = await this.shards.forJob(jobId, deviceId);
      for (const [name, value] of Object.entries({ ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' })) response.setHeader(name, value);
      return manifest;
    } catch (error) {
      if (!(error instanceof DatasetShardRefusal)) throw error;
      throw error.kind === 'forbidden' ? new ForbiddenException(error.message) : new NotFoundException(error.message);
    }
  }

  @Get('shards/:sha256')
  async shard(@Headers() requestHeaders: RequestHeaders, @Param('sha256') sha256: string, @Res() response: ServerResponse): Promise<void> {
    await this.auth.authenticate(requestHeaders);
    if (!SHA256_HEX.test(sha256)) throw new BadRequestException('expected a lowercase hex SHA-256');
    const bytes = this.shards.bytes(sha256);
    if (bytes === undefined) throw new NotFoundException(`no dataset shard has SHA-256 ${sha256} (ask for the job's shard again)`);
    response.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(bytes.length),
      // Content-addressed: the bytes under this name never change.
      'Cache-Control': 'private, max-age=31536000, immutable',
    });
    response.end(bytes);
  }
}
