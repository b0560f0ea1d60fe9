// `sparsefleet devices list|show|label|revoke|reclaim`: the enrolled fleet.
import type { Command } from 'commander';
import {
  addConnectionOptions,
  addJsonOption,
  exitWithUsageCode,
  operatorAction,
  type JsonFlag,
  type OperatorContext,
} from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { formatDeviceDetails, formatDeviceTable } from '../operator/device-view.js';
import { parseDurationFlag } from '../operator/duration.js';
import { UsageError } from '../operator/errors.js';
import { resolveIdPrefix } from '../operator/id-prefix.js';
import { applyLabelEdits, formatLabels, parseLabelEdits } from '../operator/labels.js';
import { printJson } from '../operator/output.js';

export async function runDevicesList(context: OperatorContext, options: JsonFlag): Promise<number> {
  const devices = await context.api.listDevices();
  if (options.json) printJson(context.output, devices);
  else context.output.out(devices.length === 0 ? 'no devices enrolled' : formatDeviceTable(devices));
  return 0;
}

export async function runDevicesShow(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const device = await context.api.getDevice(await resolveDeviceId(context, id));
  if (options.json) printJson(context.output, device);
  else context.output.out(formatDeviceDetails(device));
  return 0;
}

/** `k=v` sets a label and `k-` removes one; the other labels are kept. */
export async function runDevicesLabel(context: OperatorContext, id: string, pairs: readonly string[], options: JsonFlag): Promise<number> {
  if (pairs.length === 0) throw new UsageError('devices label: give at least one key=value (or key- to remove a label)');
  const edits = parseLabelEdits(pairs, 'devices label');
  const device = await context.api.getDevice(await resolveDeviceId(context, id));
  const labels = applyLabelEdits(device.labels ?? {}, edits);
  const updated = await context.api.setDeviceLabels(device.id, labels);
  if (options.json) printJson(context.output, updated ?? { id: device.id, labels });
  else context.output.out(`${device.id} (${device.displayName}) labels: ${formatLabels(updated?.labels ?? labels)}`);
  return 0;
}

export async function runDevicesRevoke(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const deviceId = await resolveDeviceId(context, id);
  await context.api.revokeDevice(deviceId);
  if (options.json) printJson(context.output, { id: deviceId, revoked: true });
  else context.output.out(`revoked device ${deviceId}: its credential no longer works and it was disconnected`);
  return 0;
}

/**
 * A single-use token that re-enrolls the device (same id, labels, history; a new credential). For a device that lost
 * its credential; the coordinator records who issued it in the audit log.
 */
export async function runDevicesReclaim(context: OperatorContext, id: string, options: JsonFlag & { ttl?: string }): Promise<number> {
  const deviceId = await resolveDeviceId(context, id);
  const ttlSeconds = options.ttl === undefined ? undefined : parseDurationFlag('--ttl', options.ttl);
  const created = await context.api.reclaimDevice(deviceId, ttlSeconds);
  if (options.json) printJson(context.output, { deviceId, ...created });
  else {
    context.output.out(
      [
        `reclaim token for device ${deviceId} (single use, expires ${created.expiresAt}; audited):`,
        `  ${created.token}`,
        '',
        'On the device, enroll again with it (the device keeps its id, labels and history; an old credential stops working):',
        `  sparsefleet agent --server ${context.api.serverUrl} --token ${created.token}`,
      ].join('\n'),
    );
  }
  return 0;
}

function resolveDeviceId(context: OperatorContext, id: string): Promise<string> {
  return resolveIdPrefix('device', id, async () => (await context.api.listDevices()).map((device) => device.id));
}

type Flags = JsonFlag & ConnectionFlags;

export function registerDevicesCommand(program: Command): void {
  const devices = program.command('devices').description('enrolled devices: state, capabilities, labels');
  const leaf = (command: Command) => exitWithUsageCode(addJsonOption(addConnectionOptions(command)));

  leaf(devices.command('list').description('list devices')).action(
    operatorAction<Flags>((context, _args, options) => runDevicesList(context, options)),
  );
  leaf(devices.command('show').description('facts, telemetry, labels and current job of one device').argument('<id>', 'device id or unique prefix')).action(
    operatorAction<Flags>((context, args, options) => runDevicesShow(context, args[0]!, options)),
  );
  leaf(
    devices
      .command('label')
      .description('set (key=value) or remove (key-) labels of a device; other labels are kept')
      .argument('<id>', 'device id or unique prefix')
      .argument('<labels...>', 'key=value or key-'),
  ).action(operatorAction<Flags>((context, args, options) => runDevicesLabel(context, args[0]!, args.slice(1), options)));
  leaf(
    devices
      .command('reclaim')
      .description('issue a single-use token that re-enrolls this device with a new credential (audited)')
      .argument('<id>', 'device id or unique prefix')
      .option('--ttl <duration>', 'lifetime of the token, e.g. 30m, 24h (default 1h)'),
  ).action(operatorAction<Flags & { ttl?: string }>((context, args, options) => runDevicesReclaim(context, args[0]!, options)));
  leaf(devices.command('revoke').description('revoke a device: its credential stops working at once').argument('<id>', 'device id or unique prefix')).action(
    operatorAction<Flags>((context, args, options) => runDevicesRevoke(context, args[0]!, options)),
  );
}
