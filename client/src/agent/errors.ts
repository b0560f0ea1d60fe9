// Errors the agent surfaces to its user, and which handshake refusals are worth retrying.
import { ErrorCode, errorCodeName, type HandshakeRefusal } from '../../../protocol/src/index.js';

/** Refusals that no amount of retrying fixes: the operator must issue a new token or re-enroll the device. */
const FATAL_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ERROR_CODE_UNAUTHENTICATED,
  ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN,
  ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXPIRED,
  ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED,
  ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_REVOKED,
  ErrorCode.ERROR_CODE_CREDENTIAL_INVALID,
  ErrorCode.ERROR_CODE_DEVICE_REVOKED,
  ErrorCode.ERROR_CODE_FORBIDDEN,
]);

export function isFatalRefusalCode(code: ErrorCode): boolean {
  return FATAL_REFUSAL_CODES.has(code);
}

/** What the user should do about a fatal refusal, appended to the error text. */
const REFUSAL_HINTS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN]: 'check the --token value, or ask the operator for a new token',
  [ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXPIRED]: 'ask the operator for a new enrollment token',
  [ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED]: 'the token has been used up; ask the operator for a new one',
  [ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_REVOKED]: 'ask the operator for a new enrollment token',
  [ErrorCode.ERROR_CODE_CREDENTIAL_INVALID]:
    'the saved credential is not accepted; delete the state file and enroll again with --token',
  [ErrorCode.ERROR_CODE_DEVICE_REVOKED]: 'this device was revoked by the operator',
  [ErrorCode.ERROR_CODE_UNAUTHENTICATED]: 'no usable credential: enroll with --token',
};

/** The agent cannot go on: the coordinator refused it, or its configuration is unusable. */
export class AgentFatalError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCode.ERROR_CODE_UNSPECIFIED,
  ) {
    super(message);
    this.name = 'AgentFatalError';
  }

  /** e.g. "ENROLLMENT_TOKEN_UNKNOWN". */
  get codeName(): string {
    return errorCodeName(this.code);
  }

  static fromRefusal(refusal: HandshakeRefusal): AgentFatalError {
    const name = refusal.codeName || errorCodeName(refusal.code);
    const hint = REFUSAL_HINTS[refusal.code];
    const text = `coordinator refused the connection: ${name}: ${refusal.message}${hint ? ` (${hint})` : ''}`;
    return new AgentFatalError(text, refusal.code);
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
