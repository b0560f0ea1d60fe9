// What a handler knows about the connection a message came from, and what it answers with. Shared by the pure
// handlers (devices/, jobs/) and the gateway that calls them.
import type { MessageOf, MessageTypeName } from '../../../protocol/src/index.js';

/** A connection authenticated with an enrollment token: it may only enroll. */
export interface EnrollmentSession {
  readonly kind: 'enrollment';
  readonly tokenId: string;
  /** The remote address of the connection: enrollments and failed proofs are limited per address. */
  readonly remoteAddress: string;
}

/** A connection authenticated as a registered device (by credential, or right after enrolling). */
export interface DeviceSession {
  readonly kind: 'device';
  readonly deviceId: string;
  readonly remoteAddress: string;
  /** A HelloRequest was answered on this connection: only then do its heartbeats keep the device online. */
  readonly greeted: boolean;
}

export type Session = EnrollmentSession | DeviceSession;

/** A typed reply envelope body: the message type and its message. */
export type Reply = { [N in MessageTypeName]: { readonly type: N; readonly message: MessageOf<N> } }[MessageTypeName];

export function reply<N extends MessageTypeName>(type: N, message: MessageOf<N>): Reply {
  return { type, message } as Reply;
}

/** What a handler returns: its reply, and a new session when the message changed who the connection is. */
export interface HandlerResult {
  readonly reply: Reply;
  readonly session?: Session;
}
