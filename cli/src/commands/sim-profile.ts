// `sparsefleet sim profile from-campaign <id>`: device profiles for simulated fleets, derived from a training-step
// (or kernel) campaign's results (one per device or per device model), written as YAML files. sim.ts (the `sim` command)
// registers it by calling registerSimProfileCommands.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import {
  CampaignProfileError,
  DeviceProfileError,
  formatDeviceProfile,
  loadDeviceProfile,
  profilesFromCampaign,
  type DerivedProfile,
  type ProfileGrouping,
} from '../../../client/src/sim/profiles/index.js';
import { CampaignApi } from '../operator/campaign-api.js';
import { addConnectionOptions, addJsonOption, exitWithUsageCode, operatorAction, type JsonFlag, type OperatorContext } from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { UsageError } from '../operator/errors.js';
import { resolveIdPrefix } from '../operator/id-prefix.js';
import { printJson } from '../operator/output.js';

export const PROFILE_GROUPINGS: readonly ProfileGrouping[] = ['device', 'model'];

export interface FromCampaignOptions extends JsonFlag {
  /** Folder the profiles are written to (created if missing). */
  out: string;
  groupBy: ProfileGrouping;
  /** Profile (name or file) the unmeasurable fields come from: network, availability, battery. */
  base: string;
}

export async function runSimProfileFromCampaign(context: OperatorContext, id: string, options: FromCampaignOptions): Promise<number> {
  if (!PROFILE_GROUPINGS.includes(options.groupBy)) throw new UsageError(`--group-by must be one of ${PROFILE_GROUPINGS.join(', ')}`);
  let base;
  try {
    base = await loadDeviceProfile(options.base);
  } catch (error) {
    if (error instanceof DeviceProfileError) throw new UsageError(`--base: ${error.message}`);
    throw new UsageError(`--base: ${error instanceof Error ? error.message : String(error)}`);
  }
  const api = new CampaignApi(context.api.http);
  const campaignId = await resolveIdPrefix('campaign', id, async () => (await api.list()).map((campaign) => campaign.id));
  const campaign = await api.get(campaignId);
  let derived: DerivedProfile[];
  try {
    derived = profilesFromCampaign(campaign, { groupBy: options.groupBy, base });
  } catch (error) {
    if (error instanceof CampaignProfileError) throw new UsageError(error.message);
    throw error;
  }
  await mkdir(options.out, { recursive: true });
  const written: string[] = [];
  for (const entry of derived) {
    const file = join(options.out, `${entry.profile.name}.yaml`);
    const header = [
      `Derived by \`sparsefleet sim profile from-campaign ${campaign.id}\` (${campaign.name}) from ${entry.cells} measured cells`,
      `of device(s) ${entry.deviceIds.join(', ')}; speedFactor fitted against profiles/devices/${campaign.measure === 'kernel' ? 'reference-kernels' : 'reference-steps'}.json`,
      `(worst cell off by ${(entry.worstFitError * 100).toFixed(1)} %). Network, availability and battery: from ${base.name}.`,
    ];
    await writeFile(file, formatDeviceProfile(entry.profile, header));
    written.push(file);
  }
  if (options.json) {
    printJson(context.output, derived.map((entry, i) => ({ file: written[i], ...entry })));
    return 0;
  }
  for (const [i, entry] of derived.entries()) {
    const { profile } = entry;
    context.output.out(
      `${written[i]}: speedFactor ${profile.compute.speedFactor} from ${entry.cells} cells, ` +
        `${profile.memory.availableMb}/${profile.memory.totalMb} MB, ${profile.backends.join('+')}` +
        `${profile.thermal ? `, throttles ×${profile.thermal.throttleFactor} after ${profile.thermal.throttleAfterMinutes} min` : ''}`,
    );
  }
  return 0;
}

type Flags<T> = T & ConnectionFlags;

/** Adds `profile from-campaign` under the `sim` command. */
export function registerSimProfileCommands(sim: Command): void {
  const profile = sim.command('profile').description('device profiles for simulated fleets');
  exitWithUsageCode(
    addConnectionOptions(
      addJsonOption(
        profile
          .command('from-campaign')
          .description('write device profiles from a training-step campaign (measured step times) or a kernel campaign (speed factor), one per device or device model')
          .argument('<id>', 'campaign id or unique prefix')
          .option('--out <dir>', 'folder to write the profiles to', '.')
          .addOption(new Option('--group-by <what>', 'one profile per device or per device model').choices(PROFILE_GROUPINGS).default('device'))
          .option('--base <profile>', 'profile (name or file) that network, availability and battery come from', 'laptop'),
      ),
    ),
  ).action(operatorAction<Flags<FromCampaignOptions>>((context, args, options) => runSimProfileFromCampaign(context, args[0]!, options)));
}
