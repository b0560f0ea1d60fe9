// Group commit (the heartbeat writer) and the power-of-two chunking of batch statements.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/src/common/group-commit.js';
import { powerOfTwoChunks } from '../../server/src/storage/batch-statements.js';

describe(GroupCommit.name, () => {
  it('should write items added while a batch is written as the next batch, one writer at a time, each caller getting its own outcome', async () => {
    // Prepare: a writer that records its batches and is held until released.
    const batches: number[][] = [];
    let writing = 0;
    let maxConcurrent = 0;
    const releases: Array<() => void> = [];
    const sut = new GroupCommit<number, string>(async (items) => {
      writing += 1;
      maxConcurrent = Math.max(maxConcurrent, writing);
      batches.push([...items]);
      await new Promise<void>((resolve) => releases.push(resolve));
      writing -= 1;
      return items.map((item) => `done ${item}`);
    });

    // Execute: one item, then three more while the first batch is held.
    const first = sut.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [sut.add(2), sut.add(3), sut.add(4)];
    expect(sut.backlog).toBe(3);
    releases.shift()!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();

    // Assert
    expect(await first).toBe('done 1');
    expect(await Promise.all(rest)).toEqual(['done 2', 'done 3', 'done 4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(maxConcurrent).toBe(1);
  });

  it('should write up to `concurrency` batches at once, batching only what arrives while every writer is busy', async () => {
    const batches: number[][] = [];
    let writing = 0;
    let maxConcurrent = 0;
    const releases: Array<() => void> = [];
    const sut = new GroupCommit<number, number>(async (items) => {
      writing += 1;
      maxConcurrent = Math.max(maxConcurrent, writing);
      batches.push([...items]);
      await new Promise<void>((resolve) => releases.push(resolve));
      writing -= 1;
      return [...items];
    }, 100, 2);
    const first = sut.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = sut.add(2);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [sut.add(3), sut.add(4)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]);
    releases.shift()!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    releases.splice(0).forEach((release) => release());
    await second;
    await new Promise((resolve) => setImmediate(resolve));
    releases.splice(0).forEach((release) => release());
    expect(await Promise.all(rest)).toEqual([3, 4]);
    expect(batches).toEqual([[1], [2], [3, 4]]);
    expect(maxConcurrent).toBe(2);
  });

  it('should reject every item of a failed batch and keep writing later ones', async () => {
    let calls = 0;
    const sut = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
      return items.map((item) => item * 2);
    });

    const failed = [sut.add(1), sut.add(2)];
    const outcomes = await Promise.allSettled(failed);
    const later = await sut.add(5);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(later).toBe(10);
  });

  it('should cap a batch at its maximum size', async () => {
    const sizes: number[] = [];
    const sut = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return [...items];
    }, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((item) => sut.add(item)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('should refuse a writer that returns the wrong number of outcomes', async () => {
    const sut = new GroupCommit<number, number>(async () => [1]);
    const outcomes = await Promise.allSettled([sut.add(1), sut.add(2)]);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});

describe('powerOfTwoChunks', () => {
  it('should split into consecutive chunks whose sizes are powers of two, largest first, keeping every item in order', () => {
    const items = Array.from({ length: 300 }, (_, index) => index);
    const chunks = powerOfTwoChunks(items, 256);
    expect(chunks.map((chunk) => chunk.length)).toEqual([256, 32, 8, 4]);
    expect(chunks.flat()).toEqual(items);
    expect(powerOfTwoChunks([], 256)).toEqual([]);
    expect(powerOfTwoChunks([1, 2, 3], 2).map((chunk) => chunk.length)).toEqual([2, 1]);
  });
});
