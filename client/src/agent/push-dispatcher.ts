// Messages the coordinator pushes to the device, routed through a table keyed by message type.
// Every push is answered through its socket.io ack with an envelope: the handler's reply or a ProtocolError.
import {
  ErrorCode,
  ProtocolFault,
  decodeFrame,
  encodeMessage,
  encodeProtocolError,
  type MessageOf,
  type MessageTypeName,
} from '../../../protocol/src/index.js';

export interface PushReply<R extends MessageTypeName = MessageTypeName> {
  readonly type: R;
  readonly message: MessageOf<R>;
}

export type PushHandler<N extends MessageTypeName> = (message: MessageOf<N>) => PushReply | Promise<PushReply>;

type PushHandlerTable = { [N in MessageTypeName]?: PushHandler<N> };

export class PushDispatcher {
  private readonly handlers: PushHandlerTable = {};

  constructor(private readonly senderVersion: string) {}

  register<N extends MessageTypeName>(type: N, handler: PushHandler<N>): this {
    (this.handlers as Record<string, unknown>)[type] = handler;
    return this;
  }

  handles(type: MessageTypeName): boolean {
    return this.handlers[type] !== undefined;
  }

  /** Decodes a pushed frame, runs its handler and returns the encoded ack envelope; never throws. */
  async dispatch(frame: unknown): Promise<Uint8Array> {
    let requestId = '';
    let offendingType = '';
    try {
      const decoded = decodeFrame(frame);
      requestId = decoded.requestId;
      offendingType = decoded.type;
      const handler = this.handlers[decoded.type] as PushHandler<MessageTypeName> | undefined;
      if (!handler) {
        throw new ProtocolFault(
          ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE,
          `the agent does not handle ${decoded.type}`,
          decoded.type,
          requestId,
        );
      }
      const reply = await handler(decoded.message);
      return encodeMessage(reply.type, reply.message, { senderVersion: this.senderVersion, requestId });
    } catch (error) {
      const fault =
        error instanceof ProtocolFault
          ? error
          : new ProtocolFault(
              ErrorCode.ERROR_CODE_INTERNAL,
              error instanceof Error ? error.message : String(error),
              offendingType,
              requestId,
            );
      return encodeProtocolError(
        { ...fault.toProtocolError(), requestId: fault.requestId || requestId },
        this.senderVersion,
      );
    }
  }
}
