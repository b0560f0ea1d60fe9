// What a virtual fleet reports: one flat record per happening, with wall time and simulated time
// (wall elapsed since the fleet started × timeScale), so a timeline or an invariant checker can read it.
export type VirtualFleetEventKind =
  | 'enrolled'
  | 'connected'
  | 'disconnected'
  | 'job-started'
  | 'job-finished'
  | 'checkpoint-committed'
  /** The coordinator acknowledged a report; detail = its wire key, reportType = its message type. */
  | 'report-acknowledged'
  /** A crash (fault or availability): no goodbye, no result for the running job. */
  | 'killed'
  | 'restarted'
  /** The availability model took the device off (detail: simulated offline minutes) or brought it back. */
  | 'offline'
  | 'online'
  | 'partitioned'
  | 'healed'
  | 'link-changed'
  | 'warning'
  | 'error';

export interface VirtualFleetEvent {
  /** Date.now() when it happened. */
  readonly wallMs: number;
  /** Simulated milliseconds since the fleet started. */
  readonly simMs: number;
  readonly deviceIndex: number;
  readonly deviceId?: string;
  readonly kind: VirtualFleetEventKind;
  readonly jobId?: string;
  readonly attempt?: number;
  /** Outcome, reason, report key or message, depending on the kind. */
  readonly detail?: string;
  /** report-acknowledged only: the report's message type. */
  readonly reportType?: string;
}
