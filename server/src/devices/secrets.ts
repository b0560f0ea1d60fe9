// Secret material for devices: enrollment tokens (looked up by sha256) and credentials (stored as scrypt hashes).
import { createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

const SCRYPT_KEY_LENGTH = 32;
const SCRYPT_OPTIONS: ScryptOptions = { N: 16384, r: 8, p: 1 };

/** 32 random bytes, base64url: used for both enrollment tokens and device credentials. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Enrollment tokens are high-entropy, so a fast unsalted hash is enough to look them up without storing them. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** `scrypt$<salt b64url>$<hash b64url>` with a fresh random salt. */
export async function hashCredential(credential: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(credential, salt);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Constant-time comparison of a presented credential with a stored `hashCredential` value. */
export async function verifyCredential(credential: string, stored: string): Promise<boolean> {
  const [scheme, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await scryptAsync(credential, Buffer.from(saltText, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function scryptAsync(secret: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, SCRYPT_KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
