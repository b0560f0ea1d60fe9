// `sparsefleet fed` against a real coordinator in this process, with raw devices playing the client tasks: submit
// from a YAML file, watch until the job completes (the round table), status, and the HTML report.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFedReport, runFedStatus, runFedSubmit, runFedWatch } from '../../cli/src/commands/fed.js';
import { createOperatorContext } from '../../cli/src/operator/command-kit.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { eventually, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { onlineDevice } from '../server/support/job-messages.js';
import { completeTask, federatedAssignments, testLab } from '../server/federated/federated-support.js';

describe('sparsefleet fed', () => {
  let test: TestCoordinator;
  let dir: string;

  beforeAll(async () => {
    test = await startTestCoordinator({ federatedLab: testLab });
    dir = await mkdtemp(join(tmpdir(), 'sf-cli-fed-'));
  });

  afterAll(async () => {
    await test.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should submit a job file, watch its rounds to the end, show its status and write its report', async () => {
    // Prepare
    const devices = [await onlineDevice(test, 'a'), await onlineDevice(test, 'b')];
    const file = join(dir, 'fed.yaml');
    await writeFile(file, ['config:', '  model: mlp', '  data: { name: synthetic }', 'rounds: 2', 'clients: 2', 'minClients: 2', 'partition: { kind: dirichlet, alpha: 0.5, seed: 3 }', ''].join('\n'));
    const submitted = new BufferedOutput();
    const context = createOperatorContext(test.coordinator.url, test.apiKey, submitted);

    // Execute
    expect(await runFedSubmit(context, file, {})).toBe(0);
    const id = /submitted federated job (\S+):/.exec(submitted.stdout)![1]!;
    const watched = new BufferedOutput();
    const watching = runFedWatch(createOperatorContext(test.coordinator.url, test.apiKey, watched), id.slice(0, 8), { interval: 50 });
    for (const round of [0, 1]) {
      const tasks = await Promise.all(devices.map((device) => eventually(async () => federatedAssignments(device).find((task) => task.spec!.federated!.round === round))));
      await Promise.all(tasks.map((task, index) => completeTask(devices[index]!, task, 1)));
    }
    const exitCode = await watching;
    const status = new BufferedOutput();
    await eventually(async () => {
      await runFedStatus(createOperatorContext(test.coordinator.url, test.apiKey, status), id, {});
      return status.stdout.includes('100.0%') && status.stdout.includes('200.0%') ? true : undefined;
    });
    const reportFile = join(dir, 'report.html');
    await runFedReport(createOperatorContext(test.coordinator.url, test.apiKey, new BufferedOutput()), id, { out: reportFile });
    const html = await readFile(reportFile, 'utf8');

    // Assert
    expect(exitCode).toBe(0);
    expect(watched.stdout).toMatch(/ROUND\s+STATE\s+UPDATES\s+SELECTED\s+DOWN\s+UP\s+TIME\s+ACCURACY\s+CLOSED BECAUSE/);
    expect(watched.stdout).toContain('completed');
    expect(status.stdout).toContain('partition dirichlet α=0.5 (seed 3)');
    expect(html).toContain('Held-out accuracy vs round');
    expect(html).toContain('Held-out accuracy vs uploaded bytes');
    expect(html.match(/<path d="M/g)).toHaveLength(2);
  });
});
