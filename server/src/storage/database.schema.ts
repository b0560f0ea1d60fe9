// The one Kysely `DB` type: every table the coordinator stores, with the column types the dialects return.
// Timestamps are ISO-8601 UTC strings (same width, so they sort and compare as text on SQLite and PostgreSQL).
export type DeviceState = 'online' | 'offline' | 'busy';
export type JobState = 'queued' | 'assigned' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface EnrollmentTokenTable {
  id: string;
  token_hash: string;
  max_uses: number;
  use_count: number;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export interface DeviceTable {
  id: string;
  display_name: string;
  facts_json: string;
  chosen_backend: string;
  state: DeviceState;
  online_until: string | null;
  last_seen: string | null;
  telemetry_json: string | null;
  credential_hash: string;
  enrollment_token_id: string | null;
  created_at: string;
}

export interface JobTable {
  id: string;
  /** Submission order (FIFO), assigned by the insert itself; timestamps can tie within a millisecond. */
  seq: number;
  name: string;
  state: JobState;
  spec_json: string;
  attempt: number;
  device_id: string | null;
  waiting_reason: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface JobProgressTable {
  job_id: string;
  attempt: number;
  sequence: number;
  device_id: string;
  epoch: number;
  step: number;
  loss: number;
  report_json: string;
  received_at: string;
}

export interface JobResultTable {
  job_id: string;
  attempt: number;
  device_id: string;
  outcome: number;
  test_accuracy: number;
  result_json: string;
  received_at: string;
}

export interface DB {
  enrollment_tokens: EnrollmentTokenTable;
  devices: DeviceTable;
  jobs: JobTable;
  job_progress: JobProgressTable;
  job_results: JobResultTable;
}
