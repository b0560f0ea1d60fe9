import { describe, expect, it } from 'vitest';
import { formatRelative, formatSpan, parseDuration } from '../../cli/src/operator/duration.js';

describe('parseDuration', () => {
  it('should read single-unit durations in seconds', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('24h')).toBe(86_400);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('2w')).toBe(1_209_600);
  });

  it('should add up compound durations and accept a bare number as seconds', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1d12h')).toBe(129_600);
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration(' 24H ')).toBe(86_400);
  });

  it.each(['', 'abc', '1.5h', '24 h', 'h24', '10x', '5m-', '-5m'])("should reject '%s'", (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });

  it('should reject a zero duration', () => {
    expect(() => parseDuration('0m')).toThrow(/must be positive/);
  });
});

describe('formatSpan', () => {
  it('should pick the largest sensible units', () => {
    expect(formatSpan(45_000)).toBe('45s');
    expect(formatSpan(12 * 60_000)).toBe('12m');
    expect(formatSpan(3 * 3_600_000 + 5 * 60_000)).toBe('3h 5m');
    expect(formatSpan(24 * 3_600_000)).toBe('1d');
    expect(formatSpan(52 * 3_600_000)).toBe('2d 4h');
  });
});

describe('formatRelative', () => {
  const now = new Date('2026-05-01T12:00:00.000Z');

  it('should say in/ago relative to now', () => {
    expect(formatRelative('2026-05-02T11:59:00.000Z', now)).toBe('in 23h 59m');
    expect(formatRelative('2026-05-01T11:55:00.000Z', now)).toBe('5m ago');
    expect(formatRelative(null, now)).toBe('-');
  });
});
