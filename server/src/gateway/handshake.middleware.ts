// socket.io middleware that authenticates every connection at the handshake (Nest guards do not run on connect).
// `auth: { enrollmentToken }` opens an enrollment session; `auth: { deviceId, credential }` a device session.
// A refusal reaches the client as `connect_error` whose `data` is a HandshakeRefusal. Unknown tokens and wrong
// credentials back off per address and per device id (DeviceChannelLimits); devices that prove who they are
// are never kept waiting by someone else's failures.
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
import { backingOff, type DeviceChannelLimits } from '../security/device-channel-limits.js';
import { isRefusal, type HandshakeAdmission } from './handshake-admission.js';
import type { ProtocolErrorCounter } from './protocol-error.counter.js';
import type { DeviceSocket } from './socket.types.js';

export interface HandshakeDependencies {
  readonly tokens: Pick<EnrollmentTokenService, 'check'>;
  readonly devices: Pick<DeviceService, 'authenticate'>;
  readonly limits: Pick<DeviceChannelLimits, 'authGate' | 'authFailed' | 'authSucceeded' | 'floodCooldownMs' | 'enrollmentFloodCooldownMs'>;
  readonly errors: ProtocolErrorCounter;
  readonly logger: Logger;
  /** Limits the device sessions set up at once; absent: no limit. */
  readonly admission?: Pick<HandshakeAdmission, 'enter' | 'hold'>;
}

/** A refusal the client should retry after `retryAfterMs` (RATE_LIMITED: the coordinator is busy). */
export class RetryLaterFault extends ProtocolFault {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(ErrorCode.ERROR_CODE_RATE_LIMITED, message);
  }
}

export type HandshakeMiddleware = (socket: DeviceSocket, next: (error?: Error) => void) => void;

/** Resolves the session a handshake `auth` object asks for, or throws the ProtocolFault to refuse it with. */
export async function authenticateHandshake(
  auth: unknown,
  deps: Pick<HandshakeDependencies, 'tokens' | 'devices' | 'limits'>,
  remoteAddress = '',
): Promise<Session> {
  const fields = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
  const { enrollmentToken, deviceId, credential } = fields;
  if (typeof enrollmentToken === 'string' && enrollmentToken !== '') {
    const gate = deps.limits.authGate(remoteAddress);
    if (gate.waitMs > 0) throw backingOff(gate.waitMs);
    let tokenId: string;
    try {
      tokenId = await deps.tokens.check(enrollmentToken);
    } catch (error) {
      // Expired, used-up or revoked tokens are real tokens; only guesses count against the address.
      if (isFault(error, ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN)) deps.limits.authFailed(remoteAddress);
      throw error;
    }
    const cooling = deps.limits.enrollmentFloodCooldownMs(tokenId, remoteAddress);
    if (cooling > 0) throw floodCooldown(cooling);
    return { kind: 'enrollment', tokenId, remoteAddress };
  }
  if (typeof deviceId === 'string' && deviceId !== '' && typeof credential === 'string' && credential !== '') {
    const cooling = deps.limits.floodCooldownMs(deviceId);
    if (cooling > 0) throw floodCooldown(cooling);
    const gate = deps.limits.authGate(remoteAddress, deviceId);
    if (gate.waitMs > 0 && !gate.checkAnyway) throw backingOff(gate.waitMs);
    try {
      await deps.devices.authenticate(deviceId, credential);
    } catch (error) {
      if (!isFault(error, ErrorCode.ERROR_CODE_CREDENTIAL_INVALID)) throw error;
      deps.limits.authFailed(remoteAddress, deviceId);
      throw gate.waitMs > 0 ? backingOff(gate.waitMs) : error;
    }
    deps.limits.authSucceeded(remoteAddress, deviceId);
    return { kind: 'device', deviceId, remoteAddress, greeted: false };
  }
  throw new ProtocolFault(
    ErrorCode.ERROR_CODE_UNAUTHENTICATED,
    'handshake auth must carry { enrollmentToken } or { deviceId, credential }',
  );
}

export function createHandshakeMiddleware(deps: HandshakeDependencies): HandshakeMiddleware {
  return (socket, next) => {
    const admitted = admitDevice(socket.handshake.auth, deps.admission);
    const started = isRefusal(admitted)
      ? Promise.reject(
          new RetryLaterFault(`coordinator busy setting up ${admitted.inFlight} sessions; retry in ${admitted.retryAfterMs} ms`, admitted.retryAfterMs),
        )
      : authenticateHandshake(socket.handshake.auth, deps, socket.handshake.address);
    started.then(
      (session) => {
        socket.data.session = session;
        // Released by the gateway when the session's first frame is handled or the connection closes.
        if (!isRefusal(admitted)) deps.admission?.hold(socket, admitted);
        next();
      },
      (error: unknown) => {
        if (!isRefusal(admitted)) admitted();
        const fault =
          error instanceof ProtocolFault
            ? error
            : new ProtocolFault(ErrorCode.ERROR_CODE_INTERNAL, 'the coordinator could not check the handshake');
        if (!(error instanceof ProtocolFault)) deps.logger.error(`handshake failed: ${describeError(error)}`);
        deps.errors.record(fault.code);
        const line = `[Fleet.Handshake] refused ${errorCodeName(fault.code)} from ${socket.handshake.address}`;
        // A blocked guesser's every retry is counted in /metrics; the log got its warning when the block began.
        if (fault.code === ErrorCode.ERROR_CODE_RATE_LIMITED) deps.logger.debug(line);
        else deps.logger.warn(line);
        next(refusalError(fault));
      },
    );
  };
}

/**
 * Device handshakes (not enrollments: one per device, ever) pass the admission; a handshake that is not a device's
 * gets a no-op release.
 */
function admitDevice(auth: unknown, admission: HandshakeDependencies['admission']): ReturnType<HandshakeAdmission['enter']> {
  const fields = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
  if (!admission || typeof fields.deviceId !== 'string' || typeof fields.credential !== 'string') return () => undefined;
  return admission.enter();
}

function isFault(error: unknown, code: ErrorCode): boolean {
  return error instanceof ProtocolFault && error.code === code;
}

function refusalError(fault: ProtocolFault): Error & { data: HandshakeRefusal } {
  const error = new Error(fault.message) as Error & { data: HandshakeRefusal };
  error.data = {
    code: fault.code,
    codeName: errorCodeName(fault.code),
    message: fault.message,
    ...(fault instanceof RetryLaterFault ? { retryAfterMs: fault.retryAfterMs } : {}),
  };
  return error;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function floodCooldown(remainingMs: number): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_RATE_LIMITED, `disconnected for flooding; retry in ${Math.ceil(remainingMs / 1000)} s`);
}
