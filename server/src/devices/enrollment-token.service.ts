// Operator-issued enrollment tokens: created here, checked at the socket handshake, consumed by EnrollRequest.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { EnrollmentTokenRepository, type EnrollmentTokenRow } from './enrollment-token.repository.js';
import { generateSecret, sha256Hex } from './secrets.js';

export interface CreateEnrollmentTokenOptions {
  readonly maxUses?: number;
  readonly ttlSeconds?: number;
}

export interface CreatedEnrollmentToken {
  readonly token: string;
  readonly expiresAt: string;
  readonly maxUses: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;

@Injectable()
export class EnrollmentTokenService {
  constructor(private readonly tokens: EnrollmentTokenRepository) {}

  async create(options: CreateEnrollmentTokenOptions = {}, now = new Date()): Promise<CreatedEnrollmentToken> {
    const maxUses = options.maxUses ?? 1;
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    if (!Number.isInteger(maxUses) || maxUses < 1) throw new RangeError('maxUses must be a positive integer');
    if (!(ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
    const token = generateSecret();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    await this.tokens.insert({
      id: randomUUID(),
      token_hash: sha256Hex(token),
      max_uses: maxUses,
      use_count: 0,
      expires_at: expiresAt,
      revoked_at: null,
      created_at: now.toISOString(),
    });
    return { token, expiresAt, maxUses };
  }

  /** Checks a presented token without using it up; returns its id or throws the refusal to send. */
  async check(token: string, now = new Date()): Promise<string> {
    const row = await this.tokens.findByHash(sha256Hex(token));
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN, 'enrollment token is not known');
    throwIfUnusable(row, now);
    return row.id;
  }

  /** Uses up one enrollment of the token atomically; throws the reason when none is left. */
  async consume(tokenId: string, now = new Date()): Promise<void> {
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
