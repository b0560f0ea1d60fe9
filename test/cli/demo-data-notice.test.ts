// The demo says at its start when Fashion-MNIST is missing, with the one command that brings it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingFashionMnistNotice } from '../../cli/src/commands/demo.js';

describe(missingFashionMnistNotice.name, () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sf-fmnist-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should name the directory and the apt command when the files are missing, and say nothing when they are there', async () => {
    const missing = missingFashionMnistNotice(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), '');
    const half = missingFashionMnistNotice(dir);
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), '');
    const present = missingFashionMnistNotice(dir);

    expect(missing).toContain(dir);
    expect(missing).toContain('apt-get install -y dataset-fashion-mnist');
    expect(half).toBeDefined();
    expect(present).toBeUndefined();
  });
});
