// What a browser says about its device: navigator's user agent, cores and (Chromium) memory class.
import type { HostFacts } from '../../agent/platform.js';

interface NavigatorWithHints {
  readonly userAgent: string;
  readonly hardwareConcurrency?: number;
  /** GiB, rounded down to a power of two (Chromium only). */
  readonly deviceMemory?: number;
  readonly userAgentData?: { readonly platform?: string; readonly mobile?: boolean; readonly brands?: ReadonlyArray<{ brand: string; version: string }> };
}

const GIB = 1024 ** 3;

export function browserHostFacts(nav: NavigatorWithHints = globalThis.navigator as unknown as NavigatorWithHints): HostFacts {
  const platform = nav.userAgentData?.platform || guessPlatform(nav.userAgent);
  const browser = browserName(nav);
  return {
    platform: `browser-${platform.toLowerCase()}`,
    arch: 'wasm32',
    cpuModel: 'unknown (browser)',
    cores: Math.max(1, nav.hardwareConcurrency ?? 1),
    memoryBytes: nav.deviceMemory === undefined ? 0 : Math.round(nav.deviceMemory * GIB),
    deviceModel: `${browser} on ${platform}${nav.userAgentData?.mobile ? ' (mobile)' : ''}`,
    runtime: browser,
    labels: { 'user-agent': nav.userAgent.slice(0, 200) },
  };
}

function guessPlatform(userAgent: string): string {
  if (/Android/i.test(userAgent)) return 'Android';
  if (/iPhone|iPad|iPod/i.test(userAgent)) return 'iOS';
  if (/Mac OS X/i.test(userAgent)) return 'macOS';
  if (/Windows/i.test(userAgent)) return 'Windows';
  if (/Linux/i.test(userAgent)) return 'Linux';
  return 'unknown';
}

function browserName(nav: NavigatorWithHints): string {
  const brand = nav.userAgentData?.brands?.find((entry) => !/Not.?A.?Brand/i.test(entry.brand) && entry.brand !== 'Chromium');
  const chromium = nav.userAgentData?.brands?.find((entry) => entry.brand === 'Chromium');
  const chosen = brand ?? chromium;
  if (chosen) return `${chosen.brand} ${chosen.version}`;
  const match = /(Firefox|Chrome|Version)\/(\d+)/.exec(nav.userAgent);
  if (!match) return 'browser';
  return match[1] === 'Version' ? `Safari ${match[2]}` : `${match[1]} ${match[2]}`;
}
