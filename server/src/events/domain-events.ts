// The coordinator's domain events: what happened, stated once by the module that made it happen, and heard by
// every module that reacts to it (assignment, leases, campaign supervision, metrics). Plain JSON-safe objects, so
// the same event can cross nodes.

export type DomainEvent =
  /** A job entered the queue (submitted, requeued after a failed attempt, re-pinned to another device). */
  | { readonly type: 'JobQueued'; readonly jobIds: readonly string[] }
  /** An online device has room for work (said hello idle, or finished, refused or lost its job). */
  | { readonly type: 'DeviceAvailable'; readonly deviceId: string }
  /** A device left: its socket closed, it went silent, or it was revoked. */
  | { readonly type: 'DeviceGone'; readonly deviceId: string; readonly reason: 'disconnected' | 'silent' | 'revoked' }
  /** A device's progress or result report was stored (a resend that changed nothing is not an event). */
  | { readonly type: 'ReportApplied'; readonly jobId: string; readonly attempt: number; readonly kind: 'progress' | 'result' }
  /** A job reached a terminal state. */
  | { readonly type: 'JobFinished'; readonly jobId: string; readonly state: 'succeeded' | 'failed' | 'cancelled' }
  /** A job attempt's lease ran out: it was requeued or failed. */
  | { readonly type: 'LeaseExpired'; readonly jobId: string; readonly attempt: number }
  /** A campaign job's result (cell × device) was recorded. */
  | { readonly type: 'CampaignCellDone'; readonly campaignId: string; readonly jobId: string; readonly cellId: string }
  /** A campaign reached a terminal state. */
  | { readonly type: 'CampaignFinished'; readonly campaignId: string; readonly state: 'completed' | 'cancelled' | 'failed' };

export type DomainEventType = DomainEvent['type'];

export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = [
  'JobQueued',
  'DeviceAvailable',
  'DeviceGone',
  'ReportApplied',
  'JobFinished',
  'LeaseExpired',
  'CampaignCellDone',
  'CampaignFinished',
];

/**
 * Events that stay on the node that published them: nothing on another node reacts to them, and at fleet scale they
 * are the most frequent (one per stored progress report), so sending each over Redis Streams would cost an XADD
 * and a read on every node for nothing.
 */
export const NODE_LOCAL_EVENT_TYPES: ReadonlySet<DomainEventType> = new Set<DomainEventType>(['ReportApplied']);
