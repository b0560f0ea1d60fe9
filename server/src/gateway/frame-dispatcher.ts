// Decodes one device frame, routes it through the dispatch table and encodes the reply or the ProtocolError.
// Never throws: whatever a device sends ends as an answer frame, so one bad device cannot disturb the others.
import { Logger } from '@nestjs/common';
import type { ProtocolError } from '../../../protocol/src/index.js';
import {
  DEVICE_CHANNEL_EVENT,
  ErrorCode,
  ProtocolFault,
  decodeFrame,
  nulTextField,
  encodeMessage,
  encodeProtocolError,
  errorCodeName,
  type DecodedMessage,
} from '../../../protocol/src/index.js';
import type { HandlerResult, Session } from '../common/session.types.js';
import type { DispatchTable } from './dispatch-table.js';
import type { ProtocolErrorCounter } from './protocol-error.counter.js';

export interface DispatchOutcome {
  /** The encoded reply envelope (a ProtocolError envelope when `error` is set). */
  readonly frame: Uint8Array;
  readonly error?: ProtocolError;
  readonly session?: Session;
}

// Event names are the sender's text: logged and echoed only this long.
const MAX_EVENT_NAME_SHOWN = 64;

// Sent every few seconds by every device: logged at debug level only.
const FREQUENT_TYPES: ReadonlySet<string> = new Set(['sparsefleet.v1.Heartbeat', 'sparsefleet.v1.ProgressReport']);

interface LooseRoute {
  readonly session: Session['kind'];
  readonly handle: (message: unknown, session: Session) => Promise<HandlerResult>;
}

export class FrameDispatcher {
  constructor(
    private readonly table: DispatchTable,
    private readonly errors: ProtocolErrorCounter,
    private readonly senderVersion: string,
    private readonly logger: Pick<Logger, 'log' | 'debug' | 'warn' | 'error'> = new Logger('Fleet'),
  ) {}

  async dispatch(frame: unknown, session: Session | undefined): Promise<DispatchOutcome> {
    const started = Date.now();
    let decoded: DecodedMessage | undefined;
    try {
      if (typeof frame === 'string') {
        throw new ProtocolFault(ErrorCode.ERROR_CODE_TEXT_FRAME, 'the device channel carries binary envelopes, not text');
      }
      decoded = decodeFrame(frame);
      const nul = nulTextField(decoded.message);
      if (nul !== undefined) {
        throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, `${JSON.stringify(nul)} holds a NUL character (U+0000): no text field may`);
      }
      const result = await this.route(decoded, session);
      const line = `[${label(decoded.type)}] ${who(session)} ok ${Date.now() - started}ms`;
      if (FREQUENT_TYPES.has(decoded.type)) this.logger.debug(line);
      else this.logger.log(line);
      const frameOut = encodeMessage(result.reply.type, result.reply.message, {
        senderVersion: this.senderVersion,
        requestId: decoded.requestId,
      });
      return { frame: frameOut, session: result.session };
    } catch (error) {
      return this.reject(this.toFault(error, decoded), session, decoded ? label(decoded.type) : 'Fleet.Frame');
    }
  }

  /** Answers a socket.io event other than the channel's: every device message travels in `sf` frames. */
  rejectEvent(event: unknown, session: Session | undefined): DispatchOutcome {
    const name = String(event);
    const shown = name.length > MAX_EVENT_NAME_SHOWN ? `${name.slice(0, MAX_EVENT_NAME_SHOWN)}…` : name;
    return this.reject(
      new ProtocolFault(ErrorCode.ERROR_CODE_UNKNOWN_EVENT, `unknown event "${shown}": the device channel has only "${DEVICE_CHANNEL_EVENT}"`),
      session,
      'Fleet.Event',
    );
  }

  private reject(fault: ProtocolFault, session: Session | undefined, where: string): DispatchOutcome {
    this.errors.record(fault.code);
    this.logger.warn(`[${where}] ${who(session)} ${errorCodeName(fault.code)}: ${fault.message}`);
    const protocolError = fault.toProtocolError();
    return { frame: encodeProtocolError(protocolError, this.senderVersion), error: protocolError };
  }

  private async route(decoded: DecodedMessage, session: Session | undefined): Promise<HandlerResult> {
    const route = this.table[decoded.type] as LooseRoute | null;
    if (!route) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, `${decoded.type} is not a request a device may send`);
    }
    if (!session || route.session !== session.kind) {
      const where = session?.kind === 'enrollment' ? 'an enrollment connection (send EnrollRequest first)' : 'this connection';
      throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, `${decoded.type} is not allowed on ${where}`);
    }
    return route.handle(decoded.message, session);
  }

  private toFault(error: unknown, decoded: DecodedMessage | undefined): ProtocolFault {
    const type = decoded?.type ?? '';
    const requestId = decoded?.requestId ?? '';
    if (error instanceof ProtocolFault) {
      return new ProtocolFault(error.code, error.message, error.offendingType || type, error.requestId || requestId);
    }
    const detail = error instanceof Error ? error.stack : String(error);
    this.logger.error(`[${label(type)}] handler failed: ${detail}`);
    return new ProtocolFault(ErrorCode.ERROR_CODE_INTERNAL, 'the coordinator failed to handle the message', type, requestId);
  }
}

/** "sparsefleet.v1.Heartbeat" → "Fleet.Heartbeat" */
function label(type: string): string {
  return `Fleet.${type.split('.').pop() ?? type}`;
}

function who(session: Session | undefined): string {
  if (!session) return 'anonymous';
  return session.kind === 'device' ? `device=${session.deviceId}` : `enrollment token=${session.tokenId.slice(0, 8)}`;
}
