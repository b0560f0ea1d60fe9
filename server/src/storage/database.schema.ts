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
  /** First characters of the token, shown in listings so operators can tell tokens apart. */
  prefix: string;
  /** Labels given to every device enrolled with the token. */
  labels_json: string;
  /** Set on a token an operator issued to reclaim this device: enrolling with it re-enrolls that device. */
  reclaim_device_id: string | null;
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
  /** Operator labels (Record<string, string>), matched by job selectors. */
  labels_json: string;
  revoked_at: string | null;
}

export interface DeviceTelemetryTable {
  id: string;
  device_id: string;
  recorded_at: string;
  telemetry_json: string;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  prefix: string;
  /** sha256 hex of the key (keys are 256-bit random, so a fast hash is enough). */
  hash: string;
  created_at: string;
  revoked_at: string | null;
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
  selector_json: string;
  max_attempts: number;
  checkpoint_every_steps: number;
  memory_estimate_json: string | null;
  /** While assigned/running: the attempt is abandoned when this passes without a renewal. */
  lease_expires_at: string | null;
  /** The device of the last abandoned attempt; assignment prefers another one. */
  previous_device_id: string | null;
}

export interface JobCheckpointTable {
  job_id: string;
  /** Hex sha256 of the checkpoint bytes, also its file name under `<dataDir>/checkpoints/`. */
  checkpoint_id: string;
  attempt: number;
  device_id: string;
  total_bytes: number;
  step: number;
  epoch: number;
  created_at: string;
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

export type CampaignState = 'running' | 'completed' | 'cancelled';

export interface CampaignTable {
  id: string;
  name: string;
  measure: string;
  state: CampaignState;
  /** The validated CampaignSpec. */
  spec_json: string;
  /** Placement `every`: the devices selected at start (`[{ id, displayName }]`); empty for `spread`. */
  devices_json: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** One job of a campaign: a cell on a device (pinned) or anywhere (spread). */
export interface CampaignJobTable {
  campaign_id: string;
  job_id: string;
  cell_id: string;
  /** The device the job is pinned to (null for spread); changes when a departed device is replaced. */
  pinned_device_id: string | null;
  created_at: string;
}

/** A finished cell on a device: the measurement with the device's facts and the validity verdict. */
export interface CampaignResultTable {
  campaign_id: string;
  job_id: string;
  cell_id: string;
  device_id: string;
  attempt: number;
  job_state: string;
  valid: number;
  reasons_json: string;
  /** BenchmarkResult as JSON; null when the job produced none (failed). */
  benchmark_json: string | null;
  /** Device facts and display name when the result was recorded. */
  device_json: string;
  error: string | null;
  recorded_at: string;
}

/** Secrets the coordinator generates for itself (e.g. the credential HMAC key), shared by every node. */
export interface CoordinatorSecretTable {
  name: string;
  /** base64url */
  value: string;
  created_at: string;
}

/** An operator action on the fleet's trust (device reclaim, revocation), kept for review. */
export interface AuditLogTable {
  id: string;
  /** Insertion order (timestamps can tie). */
  seq: number;
  at: string;
  /** `api-key:<id>`, or `local` for the in-process handle. */
  actor: string;
  action: string;
  target: string;
  detail_json: string;
}

/** A piece of a mask update; `data` (base64) is cleared once its update is applied, `digest` stays for resends. */
export interface MaskChunkTable {
  job_id: string;
  attempt: number;
  update_index: number;
  chunk_index: number;
  chunk_count: number;
  total_bytes: number;
  /** CRC-32 of the whole encoded MaskUpdate, as the sender gave it. */
  checksum: number;
  /** sha256 hex over the piece's content (counts, totals, checksum, data): what a resend is compared with. */
  digest: string;
  data: string | null;
  received_at: string;
}

/** One mask update of a job attempt: 'applied' (rebuilt, checksums matched) or 'diverged' (could not be rebuilt). */
export interface MaskUpdateTable {
  job_id: string;
  attempt: number;
  update_index: number;
  step: number;
  epoch: number;
  state: 'applied' | 'diverged';
  reason: string | null;
  /** 1 when every layer arrived in full (a reconstruction may start here). */
  all_full: number;
  active: number;
  total: number;
  /** Changes since the previous mask of the job's timeline; null for its first. */
  pruned: number | null;
  grown: number | null;
  churn: number | null;
  ever_active: number | null;
  itop_rate: number | null;
  /** Bytes of mask data stored for the update (decoded, before base64). */
  stored_bytes: number;
  received_at: string;
}

/** A layer of an applied update as it arrived: LayerMaskForm with its base64 data, or pruned/grown for a delta. */
export interface MaskLayerTable {
  job_id: string;
  attempt: number;
  update_index: number;
  position: number;
  layer: string;
  shape_json: string;
  size: number;
  active: number;
  checksum: number;
  form: number;
  data: string;
  pruned: string;
  grown: string;
}

/** A data set registered for fleet statistics: its identity (content hash, name, size). */
export interface DatastatsDatasetTable {
  content_hash: string;
  name: string;
  size: number;
  registered_at: string;
}

/** A piece of an encoded ForgettingStats while its report is incomplete (deleted once assembled, or on error). */
export interface ForgettingChunkTable {
  job_id: string;
  attempt: number;
  epoch: number;
  chunk_index: number;
  chunk_count: number;
  total_bytes: number;
  /** CRC-32 of the whole encoded ForgettingStats, as the sender gave it. */
  checksum: number;
  /** sha256 hex over the piece's content (counts, totals, checksum, data): what a resend is compared with. */
  digest: string;
  /** base64 */
  data: string;
  received_at: string;
}

/** One job's assembled statistics after `epoch` epochs of an attempt; immutable once stored. */
export interface ForgettingContributionTable {
  job_id: string;
  attempt: number;
  epoch: number;
  device_id: string;
  content_hash: string;
  epochs_observed: number;
  /** 1 when taken at the end of the run. */
  final: number;
  /** Examples the statistics cover. */
  covered: number;
  /** Length and CRC-32 of the encoded ForgettingStats (a resent piece is compared with its slice of `stats`). */
  total_bytes: number;
  checksum: number;
  /** The encoded ForgettingStats, base64. */
  stats: string;
  received_at: string;
}

/** An immutable removal set: version per data set, the rule, the removed ids (an encoded ExampleSet, base64). */
export interface RemovalSetTable {
  id: string;
  content_hash: string;
  version: number;
  rule_json: string;
  requested_count: number;
  removed_count: number;
  removed: string;
  provenance_json: string;
  created_at: string;
}

export type FederatedJobState = 'running' | 'completed' | 'failed' | 'cancelled';
export type FederatedRoundState = 'pending' | 'open' | 'closed' | 'final';
/** selected: task queued or running; updated: update accepted; rejected: update refused; dropped: task lost or ended without an update; late: update after the round closed. */
export type FederatedParticipantState = 'selected' | 'updated' | 'rejected' | 'dropped' | 'late';

/** A federated job (issue 18): its validated spec, the round in progress and the server optimizer's state. */
export interface FederatedJobTable {
  id: string;
  name: string;
  state: FederatedJobState;
  spec_json: string;
  /** The round in progress (1-based); rounds + 1 once finished. */
  current_round: number;
  /** The engine's server-optimizer state carried between rounds (JSON); null for plain FedAvg. */
  server_state: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** A round: 'pending' (model ready, no clients yet), 'open' (tasks out), 'closed' (aggregated); 'final': the job's output model, after its last round. */
export interface FederatedRoundTable {
  job_id: string;
  round: number;
  state: FederatedRoundState;
  /** The global model the round starts from: the engine's encoded sparse tensor set, base64. */
  model: string;
  model_bytes: number;
  model_checksum: number;
  /** K: the round closes once this many updates were accepted (or at its deadline). */
  target_updates: number;
  selected: number;
  /** Updates aggregated into the next round's model (set when the round closes). */
  applied: number;
  bytes_down: number;
  bytes_up: number;
  /** Held-out accuracy of the model this round produced; null until measured. */
  accuracy: number | null;
  loss: number | null;
  close_reason: string | null;
  stats_json: string | null;
  created_at: string;
  opened_at: string | null;
  deadline_at: string | null;
  closed_at: string | null;
}

/** The device that holds data shard `client_index` of a federated job (kept across rounds). */
export interface FederatedClientTable {
  job_id: string;
  client_index: number;
  device_id: string;
  created_at: string;
}

/** One client of one round: its task job and, once accepted, its encoded FederatedUpdate (base64). */
export interface FederatedParticipantTable {
  job_id: string;
  round: number;
  client_index: number;
  device_id: string;
  task_job_id: string;
  state: FederatedParticipantState;
  reason: string | null;
  examples: number | null;
  steps_done: number | null;
  steps_planned: number | null;
  loss: number | null;
  bytes_down: number;
  bytes_up: number;
  update_body: string | null;
  created_at: string;
  updated_at: string;
}

/** A piece of an encoded FederatedUpdate while it arrives (deleted once the update is assembled). */
export interface FederatedUpdateChunkTable {
  job_id: string;
  round: number;
  client_index: number;
  chunk_index: number;
  chunk_count: number;
  total_bytes: number;
  checksum: number;
  /** sha256 hex over the piece's content: what a resend is compared with. */
  digest: string;
  /** base64 */
  data: string;
  received_at: string;
}

export interface DB {
  enrollment_tokens: EnrollmentTokenTable;
  devices: DeviceTable;
  jobs: JobTable;
  job_progress: JobProgressTable;
  job_results: JobResultTable;
  api_keys: ApiKeyTable;
  device_telemetry: DeviceTelemetryTable;
  job_checkpoints: JobCheckpointTable;
  campaigns: CampaignTable;
  campaign_jobs: CampaignJobTable;
  campaign_results: CampaignResultTable;
  coordinator_secrets: CoordinatorSecretTable;
  audit_log: AuditLogTable;
  mask_chunks: MaskChunkTable;
  mask_updates: MaskUpdateTable;
  mask_layers: MaskLayerTable;
  datastats_datasets: DatastatsDatasetTable;
  forgetting_chunks: ForgettingChunkTable;
  forgetting_contributions: ForgettingContributionTable;
  removal_sets: RemovalSetTable;
  federated_jobs: FederatedJobTable;
  federated_rounds: FederatedRoundTable;
  federated_clients: FederatedClientTable;
  federated_participants: FederatedParticipantTable;
  federated_update_chunks: FederatedUpdateChunkTable;
}
