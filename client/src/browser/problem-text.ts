// What the page says when the agent stops: the coordinator's refusal codes in words a phone's owner can act on.
const ADVICE: Readonly<Record<string, string>> = {
  ENROLLMENT_TOKEN_EXPIRED: 'This enrollment link has expired. Ask the operator for a new one.',
  ENROLLMENT_TOKEN_UNKNOWN: 'This enrollment link is not valid (the coordinator does not know its token). Ask the operator for a new one.',
  ENROLLMENT_TOKEN_EXHAUSTED: 'This enrollment link has been used up. Ask the operator for a new one.',
  ENROLLMENT_TOKEN_REVOKED: 'This enrollment link was revoked. Ask the operator for a new one.',
  CREDENTIAL_INVALID: 'The coordinator no longer accepts this browser\'s enrollment. Open a new enrollment link.',
  DEVICE_REVOKED: 'The operator has removed this device from the fleet.',
  UNAUTHENTICATED: 'This browser is not enrolled yet. Open the enrollment link (…/agent/#token=…) or scan its QR code.',
};

export function problemText(code: string, detail: string): string {
  const advice = ADVICE[code.replace(/^ERROR_CODE_/, '')];
  return advice === undefined ? `The agent stopped: ${detail}` : `${advice} (${detail})`;
}
