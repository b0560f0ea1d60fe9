// The browser platform's pure parts, in Node: the pause gate of pause_when_hidden jobs, the token in the URL fragment,
// the page's refusal messages, and navigator facts and page conditions as the agent reports them.
import { describe, expect, it } from 'vitest';
import { tokenFromFragment } from '../../protocol/src/enrollment-url.js';
import { PauseGate } from '../../client/src/browser/pause-gate.js';
import { browserHostFacts } from '../../client/src/browser/platform/host-facts.js';
import { browserTelemetry } from '../../client/src/browser/platform/telemetry.js';
import { problemText } from '../../client/src/browser/problem-text.js';

describe('browser platform parts', () => {
  it('holds a step while the gate is closed and lets it go when it opens', async () => {
    const changes: boolean[] = [];
    const gate = new PauseGate((paused) => changes.push(paused));
    await gate.wait(new AbortController().signal); // open: resolves at once
    gate.setOpen(false);
    let passed = false;
    const waiting = gate.wait(new AbortController().signal).then(() => (passed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passed).toBe(false);
    gate.setOpen(true);
    await waiting;
    expect(passed).toBe(true);
    expect(changes).toEqual([true, false]);
  });

  it('rejects a held step when its job is aborted', async () => {
    const gate = new PauseGate();
    gate.setOpen(false);
    const controller = new AbortController();
    const waiting = gate.wait(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });

  it('reads the token from the fragment only', () => {
    expect(tokenFromFragment('#token=abc.def')).toBe('abc.def');
    expect(tokenFromFragment('#x=1&token=t1')).toBe('t1');
    expect(tokenFromFragment('')).toBeUndefined();
    expect(tokenFromFragment('#token=')).toBeUndefined();
  });

  it('says what to do about an expired or unknown token, and passes other errors through', () => {
    expect(problemText('ENROLLMENT_TOKEN_EXPIRED', 'x')).toMatch(/^This enrollment link has expired/);
    expect(problemText('ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN', 'x')).toMatch(/not valid/);
    expect(problemText('', 'socket closed')).toBe('The agent stopped: socket closed');
  });

  it('describes a phone from navigator and reports the page conditions in heartbeats', () => {
    const facts = browserHostFacts({
      userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/140.0 Mobile Safari/537.36',
      hardwareConcurrency: 8,
      deviceMemory: 8,
    });
    expect(facts).toMatchObject({ platform: 'browser-android', cores: 8, memoryBytes: 8 * 2 ** 30, runtime: 'Chrome 140' });
    const telemetry = browserTelemetry({ visibility: 'hidden', batteryLevel: 0.42, charging: true, thermalState: 'serious' });
    expect(telemetry).toMatchObject({ visibility: 'hidden', batteryLevel: 0.42, charging: true, thermalState: 'serious', temperatureCelsius: -1 });
  });
});
