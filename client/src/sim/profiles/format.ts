// A profile as YAML, with comment lines first (where it came from). The output parses back with parseDeviceProfile.
import { stringify } from 'yaml';
import type { DeviceProfile } from './types.js';

export function formatDeviceProfile(profile: DeviceProfile, headerLines: readonly string[] = []): string {
  const header = headerLines.map((line) => `# ${line}\n`).join('');
  return `${header}${stringify(profile, { lineWidth: 0 })}`;
}
