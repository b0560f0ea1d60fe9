// The CLI's engine lab evaluates global models in a worker thread (the compiled federated-evaluation-worker.js from
// dist/): the worker starts on the first evaluation, measures exactly what the same evaluation on this thread
// measures, answers a model it cannot decode with an error and keeps serving, and close() terminates it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineFederatedLab } from '../../cli/src/federated-lab.js';
import { FederatedEvaluationThread } from '../../cli/src/federated-evaluation-thread.js';
import { trainConfigSchema, trainConfigToJobSpec } from '../../client/src/engine/spec.js';

const WORKER = join(import.meta.dirname, '../../dist/cli/src/federated-evaluation-worker.js');
const BUILT = existsSync(WORKER);

describe('engine lab evaluation in a worker thread', () => {
  it('should measure in the worker what this thread measures, survive a bad model, and stop on close', async () => {
    expect(BUILT, 'the worker runs from dist/: npx tsc -p tsconfig.build.json first').toBe(true);
    // Prepare
    const base = trainConfigToJobSpec(
      trainConfigSchema.parse({ model: 'mlp', method: 'static', density: 0.1, data: { name: 'synthetic', trainLimit: 128, testLimit: 96 }, backend: 'cpu' }),
    );
    const inProcess = engineFederatedLab({ evaluation: 'in-process' });
    const thread = new FederatedEvaluationThread(pathToFileURL(WORKER));
    const model = await inProcess.initialModel(base);

    // Execute
    const startedBefore = thread.running;
    const here = await inProcess.evaluate(model, base);
    const there = await thread.evaluate(model, base);
    const startedAfter = thread.running;
    const bad = await thread.evaluate(Uint8Array.from([1, 2, 3]), base).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    const again = await thread.evaluate(model, base);
    await thread.close();

    // Assert
    expect(startedBefore).toBe(false);
    expect(startedAfter).toBe(true);
    expect(there).toEqual(here);
    expect(here.examples).toBe(96);
    expect(bad).not.toBe('resolved');
    expect(again).toEqual(here);
    expect(thread.running).toBe(false);
  });
});
