import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activeBackend, initBackend } from '../../../client/src/engine/backend/init.js';

describe('initBackend', () => {
  it('should pick wasm with SIMD when tfjs-node is absent and list cpu as available', async () => {
    // Execute
    const info = await initBackend();

    // Assert
    expect(info.name).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.available).toEqual(['wasm', 'cpu']);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('should be idempotent and switch only when another backend is asked for', async () => {
    // Execute
    const first = await initBackend();
    const second = await initBackend();
    const cpu = await initBackend('cpu');
    const back = await initBackend('wasm');

    // Assert
    expect(second).toBe(first);
    expect(cpu.name).toBe('cpu');
    expect(back.name).toBe('wasm');
    expect(activeBackend()?.name).toBe('wasm');
  });

  it('should fall back to the best available backend when the preferred one is missing', async () => {
    // Execute
    const info = await initBackend('tensorflow');

    // Assert
    expect(info.name).toBe('wasm');
  });
});
