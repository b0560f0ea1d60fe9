// Secret material for devices: enrollment tokens (looked up by sha256) and credentials. Credentials are 256-bit
// random secrets, so they are stored as an HMAC-SHA-256 under a server key (microseconds per handshake, no
// dictionary attack applies); slow hashing is for secrets people choose. Hashes from before that change
// (`scrypt$…`) still verify and are replaced by their HMAC on the device's first successful handshake.
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

const SCRYPT_KEY_LENGTH = 32;
const SCRYPT_OPTIONS: ScryptOptions = { N: 16384, r: 8, p: 1 };
const HMAC_SCHEME = 'hmac-sha256';
const SCRYPT_SCHEME = 'scrypt';

/** 32 random bytes, base64url: used for enrollment tokens, device credentials and server keys. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Enrollment tokens are high-entropy, so a fast unsalted hash is enough to look them up without storing them. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** `hmac-sha256$<mac b64url>`: the stored form of a device credential. */
export function hmacCredential(credential: string, serverKey: Uint8Array): string {
  return `${HMAC_SCHEME}$${createHmac('sha256', serverKey).update(credential, 'utf8').digest('base64url')}`;
}

/** `scrypt$<salt b64url>$<hash b64url>` with a fresh random salt (the earlier stored form; kept for migration). */
export async function scryptCredential(credential: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(credential, salt);
  return `${SCRYPT_SCHEME}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export interface CredentialCheck {
  readonly valid: boolean;
  /** The stored form is an older scheme: store `hmacCredential` instead once the credential verified. */
  readonly outdated: boolean;
}

/** Constant-time comparison of a presented credential with its stored form (either scheme). */
export async function verifyCredential(credential: string, stored: string, serverKey: Uint8Array): Promise<CredentialCheck> {
  const [scheme, first, second] = stored.split('$');
  if (scheme === HMAC_SCHEME && first) {
    return { valid: sameBytes(first, hmacCredential(credential, serverKey).slice(HMAC_SCHEME.length + 1)), outdated: false };
  }
  if (scheme === SCRYPT_SCHEME && first && second) {
    const actual = await scryptAsync(credential, Buffer.from(first, 'base64url'));
    return { valid: sameBytes(second, actual.toString('base64url')), outdated: true };
  }
  return { valid: false, outdated: false };
}

function sameBytes(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'base64url');
  const b = Buffer.from(actual, 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}

function scryptAsync(secret: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, SCRYPT_KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
