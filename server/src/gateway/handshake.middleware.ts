// socket.io middleware that authenticates every connection at the handshake (Nest guards do not run on connect).
// `auth: { enrollmentToken }` opens an enrollment session; `auth: { deviceId, credential }` a device session.
// A refusal reaches the client as `connect_error` whose `data` is a HandshakeRefusal.
import { Logger } from '@nestjs/common';
import {
  ErrorCode,
  ProtocolFault,
  errorCodeName,
  type HandshakeRefusal,
} from '../../../protocol/src/index.js';
import type { Session } from '../common/session.types.js';
import type { DeviceService } from '../devices/device.service.js';
import type { EnrollmentTokenService } from '../devices/enrollment-token.service.js';
import type { SlidingWindowRateLimiter } from '../security/rate-limiter.js';
import type { ProtocolErrorCounter } from './protocol-error.counter.js';
import type { DeviceSocket } from './socket.types.js';

export interface HandshakeDependencies {
  readonly tokens: Pick<EnrollmentTokenService, 'check'>;
  readonly devices: Pick<DeviceService, 'authenticate'>;
  /** Limits enrollment handshakes per remote address (guessing tokens, runaway agents). */
  readonly enrollmentLimiter?: Pick<SlidingWindowRateLimiter, 'tryHit' | 'retryAfterMs'>;
  readonly errors: ProtocolErrorCounter;
  readonly logger: Logger;
}

export type HandshakeMiddleware = (socket: DeviceSocket, next: (error?: Error) => void) => void;

/** Resolves the session a handshake `auth` object asks for, or throws the ProtocolFault to refuse it with. */
export async function authenticateHandshake(
  auth: unknown,
  deps: Pick<HandshakeDependencies, 'tokens' | 'devices' | 'enrollmentLimiter'>,
  remoteAddress = '',
): Promise<Session> {
  const fields = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
  const { enrollmentToken, deviceId, credential } = fields;
  if (typeof enrollmentToken === 'string' && enrollmentToken !== '') {
    if (deps.enrollmentLimiter && !deps.enrollmentLimiter.tryHit(remoteAddress)) {
      const seconds = Math.ceil(deps.enrollmentLimiter.retryAfterMs(remoteAddress) / 1000);
      throw new ProtocolFault(ErrorCode.ERROR_CODE_RATE_LIMITED, `too many enrollment attempts from this address; retry in ${seconds} s`);
    }
    return { kind: 'enrollment', tokenId: await deps.tokens.check(enrollmentToken) };
  }
  if (typeof deviceId === 'string' && deviceId !== '' && typeof credential === 'string' && credential !== '') {
    await deps.devices.authenticate(deviceId, credential);
    return { kind: 'device', deviceId };
  }
  throw new ProtocolFault(
    ErrorCode.ERROR_CODE_UNAUTHENTICATED,
    'handshake auth must carry { enrollmentToken } or { deviceId, credential }',
  );
}

export function createHandshakeMiddleware(deps: HandshakeDependencies): HandshakeMiddleware {
  return (socket, next) => {
    authenticateHandshake(socket.handshake.auth, deps, socket.handshake.address).then(
      (session) => {
        socket.data.session = session;
        next();
      },
      (error: unknown) => {
        const fault =
          error instanceof ProtocolFault
            ? error
            : new ProtocolFault(ErrorCode.ERROR_CODE_INTERNAL, 'the coordinator could not check the handshake');
        if (!(error instanceof ProtocolFault)) deps.logger.error(`handshake failed: ${describeError(error)}`);
        deps.errors.record(fault.code);
        deps.logger.warn(`[Fleet.Handshake] refused ${errorCodeName(fault.code)} from ${socket.handshake.address}`);
        next(refusalError(fault));
      },
    );
  };
}

function refusalError(fault: ProtocolFault): Error & { data: HandshakeRefusal } {
  const error = new Error(fault.message) as Error & { data: HandshakeRefusal };
  error.data = { code: fault.code, codeName: errorCodeName(fault.code), message: fault.message };
  return error;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
