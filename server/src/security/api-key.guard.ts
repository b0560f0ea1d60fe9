// Every operator route under /api needs an API key: `Authorization: Bearer <key>` or `x-api-key: <key>`.
// /api/docs is served by Swagger outside the controllers, /healthz and /metrics are not under /api.
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { ApiKeyService } from './api-key.service.js';

interface HttpRequestLike {
  readonly path?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.requireApiKey || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    const path = request.path ?? request.url ?? '';
    if (!path.startsWith('/api/') || path.startsWith('/api/docs')) return true;
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      throw new UnauthorizedException('an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"');
    }
    if ((await this.keys.verify(presented)) === undefined) throw new UnauthorizedException('the API key is not valid');
    return true;
  }
}

export function presentedKey(headers: HttpRequestLike['headers']): string | undefined {
  const authorization = single(headers.authorization);
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? single(headers['x-api-key'])?.trim() ?? undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
