// Reading profiles from disk (Node only: node: modules are imported on first use, so the rest of this folder stays
// browser-loadable). A bare name ('jetson-nano') is a shipped profile, profiles/devices/<name>.yaml, found from this
// module's folder upwards (sources and dist/ alike), else under the working directory; anything with a slash or a
// .yaml/.yml ending is a path. A trace availability's path is made absolute, relative to the profile's folder.
import { parseDeviceProfile } from './schema.js';
import { parseAvailabilityTrace, type AvailabilityTrace } from './trace.js';
import { isTraceAvailability, type DeviceProfile, type TraceAvailability } from './types.js';

/** The profiles shipped in profiles/devices/. */
export const SHIPPED_DEVICE_PROFILES = [
  'jetson-nano',
  'jetson-orin-nano',
  'raspberry-pi-4',
  'android-midrange',
  'iphone-safari',
  'laptop',
] as const;

const PROFILE_FOLDER = ['profiles', 'devices'] as const;
const MAX_DEPTH = 8;

export async function loadDeviceProfile(nameOrPath: string): Promise<DeviceProfile> {
  const file = await resolveProfileFile(nameOrPath);
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' && !looksLikePath(nameOrPath) ? ` (shipped profiles: ${SHIPPED_DEVICE_PROFILES.join(', ')})` : '';
    throw new Error(`cannot read device profile ${nameOrPath}: ${(error as Error).message}${hint}`);
  }
  const profile = parseDeviceProfile(text, path.basename(file));
  if (!isTraceAvailability(profile.availability)) return profile;
  const trace = path.resolve(path.dirname(file), profile.availability.trace);
  return { ...profile, availability: { trace } };
}

/** Reads and parses the trace a trace-availability profile names (loadDeviceProfile has made its path absolute). */
export async function loadAvailabilityTrace(availability: TraceAvailability): Promise<AvailabilityTrace> {
  const { readFile } = await import('node:fs/promises');
  return parseAvailabilityTrace(await readFile(availability.trace, 'utf8'), availability.trace);
}

/** The file a name or path stands for. */
export async function resolveProfileFile(nameOrPath: string): Promise<string> {
  const path = await import('node:path');
  if (looksLikePath(nameOrPath)) return path.resolve(nameOrPath);
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const relative = path.join(...PROFILE_FOLDER, `${nameOrPath}.yaml`);
  let folder = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const candidate = path.join(folder, relative);
    if (existsSync(candidate)) return candidate;
    folder = path.dirname(folder);
  }
  return path.resolve(relative);
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/i.test(nameOrPath);
}
