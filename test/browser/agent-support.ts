// Shared set-up of the browser-agent tests: a real coordinator (SQLite in a temp dir, port 0), the agent bundles
// built into dist/web/agent/, and Debian's Chromium through playwright-core. A page's console errors and uncaught
// exceptions are collected so that every test can assert there were none.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../../server/src/coordinator.js';
import { buildBrowserAgent } from '../../scripts/build-browser-agent.mjs';
import type { RestTarget } from '../e2e/rest-client.js';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface BrowserAgentRig {
  readonly coordinator: RunningCoordinator;
  readonly rest: RestTarget;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** `options`: more coordinator options (e.g. a federated lab). */
export async function startRig(options: Partial<CoordinatorOptions> = {}): Promise<BrowserAgentRig> {
  await buildBrowserAgent();
  const dataDir = await mkdtemp(join(tmpdir(), 'sf-browser-agent-'));
  // The page's worker trains on two shared cores: a generous lease keeps a slow step from abandoning the attempt.
  const coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'error', heartbeatIntervalMs: 500, leaseMs: 8_000, ...options });
  const rest = { url: coordinator.url, apiKey: (await coordinator.createApiKey('browser-agent-test')).key };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    coordinator,
    rest,
    browser,
    async close() {
      await browser.close();
      await coordinator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions of the page and its worker. */
  readonly errors: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('worker', (worker) => worker.on('console', (message) => message.type() === 'error' && errors.push(`worker: ${message.text()}`)));
  return { page, context, errors };
}

/** Opens the page's enrollment URL with a fresh one-use token; resolves with the device id once it has enrolled. */
export async function enrollPage(rig: BrowserAgentRig, page: Page): Promise<string> {
  const { token } = await rig.coordinator.createEnrollmentToken({ maxUses: 1 });
  await page.goto(`${rig.coordinator.url}/agent/#token=${token}`);
  await page.waitForFunction(() => document.getElementById('enrollment')?.textContent?.startsWith('enrolled as'), undefined, { timeout: 60_000 });
  return (await page.textContent('#enrollment'))!.replace('enrolled as ', '');
}

/** A job small enough to train in the page's worker in seconds: a sparse MLP on 320 Fashion-MNIST examples. */
export function tinyBrowserJob(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    config: {
      model: 'mlp',
      data: { name: 'fashion-mnist', trainLimit: 320, testLimit: 128 },
      method: 'set',
      density: 0.2,
      epochs: 2,
      batchSize: 32,
      seed: 7,
      ...extra,
    },
  };
}
