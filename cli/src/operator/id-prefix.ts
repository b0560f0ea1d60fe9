// Tables show the first 8 characters of an id; commands accept any unique prefix of one, as docker does.
import { UsageError } from './errors.js';

const FULL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The full id that `given` names. A full UUID is used as is (no listing); a shorter text is matched as a prefix
 * against `listIds()`. No match returns `given` unchanged so the coordinator answers its own 404.
 */
export async function resolveIdPrefix(kind: string, given: string, listIds: () => Promise<readonly string[]>): Promise<string> {
  const text = given.trim();
  if (text === '') throw new UsageError(`${kind} id must not be empty`);
  if (FULL_UUID.test(text)) return text;
  const ids = await listIds();
  if (ids.includes(text)) return text;
  const matches = ids.filter((id) => id.toLowerCase().startsWith(text.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const shown = matches.slice(0, 5).join(', ');
    throw new UsageError(`${kind} id '${given}' is ambiguous: ${shown}${matches.length > 5 ? ', …' : ''}`);
  }
  return text;
}
