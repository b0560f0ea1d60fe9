// Which present devices a campaign's selector admits (labels, backend, minimum memory), as assignment matches them.
import type { DeviceView } from '../devices/device-view.js';
import { fits, requirementsOf, type JobSelector, type MatchCandidate } from '../jobs/job-selector.js';

export function matchCandidateOf(device: DeviceView): MatchCandidate {
  return {
    id: device.id,
    idle: device.state === 'online',
    labels: device.effectiveLabels,
    backends: device.capabilities.backends,
    availableMemoryBytes: device.availableMemoryBytes,
  };
}

export function devicesMatching(selector: JobSelector, devices: readonly DeviceView[]): DeviceView[] {
  const requirements = requirementsOf(selector, 0);
  return devices.filter((device) => fits(requirements, matchCandidateOf(device)));
}
