// Every HTTP route needs an API key (`Authorization: Bearer <key>` or `x-api-key: <key>`) unless its controller or
// handler is marked @PublicRoute() (/healthz, /metrics). Deny by default: a path check was bypassed by changing
// the case of "/api" (Express matches routes case-insensitively). /api/docs is served by Swagger outside the
// controllers, so the guard never sees it.
import {
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { ApiKeyService } from './api-key.service.js';

interface HttpRequestLike {
  readonly headers: Record<string, string | string[] | undefined>;
  /** Set by the guard: who is acting, for the audit log (`api-key:<id>`, or `anonymous` without key checks). */
  operator?: string;
}

/** The operator behind an HTTP request the guard let through. */
export function operatorOf(request: unknown): string {
  return (request as HttpRequestLike | undefined)?.operator ?? 'anonymous';
}

const PUBLIC_ROUTE = 'sparsefleet:public-route';

/** Marks a controller or handler as reachable without an API key. */
export const PublicRoute = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_ROUTE, true);

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (!this.config.requireApiKey) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      throw new UnauthorizedException('an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"');
    }
    const keyId = await this.keys.verify(presented);
    if (keyId === undefined) throw new UnauthorizedException('the API key is not valid');
    request.operator = `api-key:${keyId}`;
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
