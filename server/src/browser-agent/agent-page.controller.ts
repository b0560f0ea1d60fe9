// The browser agent at /agent/: the page, its bundles, the project's sparse kernels and TensorFlow.js's wasm
// binaries, all from this coordinator (no CDN), cross-origin isolated. Public: enrollment happens inside the page
// with the token from the URL fragment, which never reaches this server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../security/api-key.guard.js';
import { AgentAssets, type AgentAsset } from './agent-assets.js';
import { ISOLATION_HEADERS } from './isolation-headers.js';
import { sendFile } from './send-file.js';

@ApiExcludeController()
@PublicRoute()
@Controller('agent')
export class AgentPageController {
  private readonly assets = new AgentAssets();

  @Get()
  async index(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    // The page loads its bundles by relative URL: /agent must become /agent/ (the fragment survives a redirect).
    const url = new URL(request.url ?? '/agent', 'http://coordinator');
    if (!url.pathname.endsWith('/')) {
      response.writeHead(308, { Location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    await send(response, this.assets.page('index.html'));
  }

  @Get('tfjs/:file')
  async tfjsWasm(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    await send(response, this.assets.tfjsWasm(file));
  }

  @Get('kernels/:file')
  async kernels(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    await send(response, this.assets.kernels(file));
  }

  @Get(':file')
  async file(@Param('file') file: string, @Res() response: ServerResponse): Promise<void> {
    await send(response, this.assets.page(file));
  }
}

async function send(response: ServerResponse, asset: AgentAsset | undefined): Promise<void> {
  if (asset === undefined) throw new NotFoundException('no such file in the browser agent');
  const headers = { ...ISOLATION_HEADERS, 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' };
  await sendFile(response, asset.path, headers, `${asset.path} is missing: build the browser agent (npm run build)`);
}
