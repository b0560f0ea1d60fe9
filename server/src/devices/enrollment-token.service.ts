// Operator-issued enrollment tokens: created here, checked at the socket handshake, consumed by EnrollRequest.
// Only a sha256 of each token is stored (tokens are 256-bit random); listings show a short prefix instead.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { EnrollmentTokenRepository, type EnrollmentTokenRow } from './enrollment-token.repository.js';
import { parseLabels, type Labels } from './labels.js';
import { generateSecret, sha256Hex } from '../security/secrets.js';

export interface CreateEnrollmentTokenOptions {
  readonly maxUses?: number;
  readonly ttlSeconds?: number;
  /** Given to every device enrolled with the token (operator labels, matched by job selectors). */
  readonly labels?: Labels;
  /** An operator reclaim: enrolling with the token re-enrolls this device (its id, labels, history). */
  readonly reclaimDeviceId?: string;
}

export interface CreatedEnrollmentToken {
  readonly id: string;
  /** The secret itself: shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly expiresAt: string;
  readonly maxUses: number;
  readonly labels: Labels;
  readonly reclaimDeviceId: string | null;
}

export interface EnrollmentTokenView {
  readonly id: string;
  readonly prefix: string;
  readonly uses: number;
  readonly maxUses: number;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly createdAt: string;
  readonly labels: Labels;
  /** Set on a token issued by `devices reclaim`: it re-enrolls that device only. */
  readonly reclaimDeviceId: string | null;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;
const SHOWN_PREFIX_LENGTH = 8;

@Injectable()
export class EnrollmentTokenService {
  constructor(
    private readonly tokens: EnrollmentTokenRepository,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  async create(options: CreateEnrollmentTokenOptions = {}, now = clockDate(this.clock)): Promise<CreatedEnrollmentToken> {
    const maxUses = options.maxUses ?? 1;
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    if (!Number.isInteger(maxUses) || maxUses < 1) throw new RangeError('maxUses must be a positive integer');
    if (!(ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
    const labels = parseLabels(options.labels ?? {});
    const id = randomUUID();
    const token = generateSecret();
    const prefix = token.slice(0, SHOWN_PREFIX_LENGTH);
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    await this.tokens.insert({
      id,
      token_hash: sha256Hex(token),
      max_uses: maxUses,
      use_count: 0,
      expires_at: expiresAt,
      revoked_at: null,
      created_at: now.toISOString(),
      prefix,
      labels_json: JSON.stringify(labels),
      reclaim_device_id: options.reclaimDeviceId ?? null,
    });
    return { id, token, prefix, expiresAt, maxUses, labels, reclaimDeviceId: options.reclaimDeviceId ?? null };
  }

  async list(): Promise<EnrollmentTokenView[]> {
    return (await this.tokens.list()).map(toView);
  }

  async get(id: string): Promise<EnrollmentTokenView | undefined> {
    const row = await this.tokens.findById(id);
    return row ? toView(row) : undefined;
  }

  /** Revokes the token (idempotent); undefined when it does not exist. Devices it enrolled keep working. */
  async revoke(id: string, now = clockDate(this.clock)): Promise<EnrollmentTokenView | undefined> {
    await this.tokens.revoke(id, now.toISOString());
    return this.get(id);
  }

  /** Labels given to devices enrolled with the token. */
  async labelsOf(id: string): Promise<Labels> {
    const row = await this.tokens.findById(id);
    return row ? (JSON.parse(row.labels_json) as Labels) : {};
  }

  /** The device a reclaim token re-enrolls; undefined for an ordinary token. */
  async reclaimTargetOf(id: string): Promise<string | undefined> {
    return (await this.tokens.findById(id))?.reclaim_device_id ?? undefined;
  }

  /** Checks a presented token without using it up; returns its id or throws the refusal to send. */
  async check(token: string, now = clockDate(this.clock)): Promise<string> {
    const row = await this.tokens.findByHash(sha256Hex(token));
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN, 'enrollment token is not known');
    throwIfUnusable(row, now);
    return row.id;
  }

  /** Uses up one enrollment of the token atomically; throws the reason when none is left. */
  async consume(tokenId: string, now = clockDate(this.clock)): Promise<void> {
    if (await this.tokens.consumeUse(tokenId, now.toISOString())) return;
    const row = await this.tokens.findById(tokenId);
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN, 'enrollment token is not known');
    throwIfUnusable(row, now);
    throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED, 'enrollment token has no uses left');
  }
}

function throwIfUnusable(row: EnrollmentTokenRow, now: Date): void {
  if (row.revoked_at !== null) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_REVOKED, 'enrollment token was revoked');
  }
  if (row.expires_at <= now.toISOString()) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXPIRED, `enrollment token expired at ${row.expires_at}`);
  }
  if (row.use_count >= row.max_uses) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED, 'enrollment token has no uses left');
  }
}

function toView(row: EnrollmentTokenRow): EnrollmentTokenView {
  return {
    id: row.id,
    prefix: row.prefix,
    uses: row.use_count,
    maxUses: row.max_uses,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    labels: JSON.parse(row.labels_json) as Labels,
    reclaimDeviceId: row.reclaim_device_id,
  };
}
