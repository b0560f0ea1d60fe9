// Which present devices a campaign's selector admits (labels, backend, minimum memory), as assignment matches them.
import type { DeviceView } from '../devices/device-view.js';
import { fits, matchCandidateOf, requirementsOf, type JobSelector } from '../jobs/job-selector.js';

export function devicesMatching(selector: JobSelector, devices: readonly DeviceView[]): DeviceView[] {
  const requirements = requirementsOf(selector, 0);
  return devices.filter((device) => fits(requirements, matchCandidateOf(device)));
}
