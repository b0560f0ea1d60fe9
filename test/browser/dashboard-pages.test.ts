// The operator dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real coordinator
// with raw protocol-level test devices: API-key sign-in (a wrong key is told so), the device list, enrollment tokens
// (created with a QR code of the enrollment URL, which enrolls a device, then revoked), a job's progress updating
// while the page is open, a campaign's report with its charts in the sandboxed frame, a key revoked mid-session and
// signing out. Every page makes requests to the coordinator only and logs no console error (where a key is refused,
// only the browser's own line about the 401). Skipped, saying why, where /usr/bin/chromium is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFromFragment } from '../../protocol/src/index.js';
import { ApiKeyService } from '../../server/src/security/api-key.service.js';
import { benchmarkDevice } from '../server/campaigns/support/benchmark-device.js';
import {
  api,
  connect,
  enrollAndGreet,
  eventually,
  refusalOf,
  request,
  startTestCoordinator,
  TEST_FACTS,
  type TestCoordinator,
} from '../server/support/coordinator-harness.js';
import { acceptNextJob, jobResult, progressReport } from '../server/support/job-messages.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** What a page did besides what the test drove: console errors, uncaught errors, requests off the coordinator. */
interface PageWatch {
  readonly page: Page;
  readonly errors: string[];
  readonly foreignRequests: string[];
}

describe.skipIf(!haveChromium)(`dashboard in Chromium (${haveChromium ? CHROMIUM : `skipped: no ${CHROMIUM}`})`, () => {
  let test: TestCoordinator;
  let browser: Browser;
  const watches: PageWatch[] = [];
  const sockets: Array<{ close(): void }> = [];

  beforeAll(async () => {
    // The bundle the coordinator serves, built from the sources under test.
    execFileSync(process.execPath, ['scripts/build-dashboard.mjs'], { stdio: 'pipe' });
    // Heartbeats are not sent by these raw devices: keep them online for the whole file.
    test = await startTestCoordinator({ heartbeatIntervalMs: 60_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await browser?.close();
    await test?.stop();
  });

  async function openDashboard(): Promise<PageWatch> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch: PageWatch = { page, errors: [], foreignRequests: [] };
    const origin = new URL(test.coordinator.url).origin;
    page.on('pageerror', (error) => watch.errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') watch.errors.push(message.text());
    });
    page.on('request', (sent) => {
      const url = sent.url();
      if (!url.startsWith(`${origin}/`) && !/^(blob|data|about):/.test(url)) watch.foreignRequests.push(url);
    });
    watches.push(watch);
    await page.goto(`${test.coordinator.url}/dashboard/`);
    return watch;
  }

  async function signIn(page: Page, apiKey = test.apiKey): Promise<void> {
    await page.fill('input[name="apiKey"]', apiKey);
    await page.click('form.sign-in button[type="submit"]');
  }

  async function signedIn(): Promise<PageWatch> {
    const watch = await openDashboard();
    await signIn(watch.page);
    await watch.page.waitForSelector('nav [data-tab="devices"].active');
    return watch;
  }

  function expectCleanPage(watch: PageWatch): void {
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  }

  it('should serve the page with a policy that forbids other origins, and only its own files', async () => {
    const redirect = await fetch(`${test.coordinator.url}/dashboard`, { redirect: 'manual' });
    const page = await fetch(`${test.coordinator.url}/dashboard/`);
    const policy = page.headers.get('content-security-policy') ?? '';
    const script = await fetch(`${test.coordinator.url}/dashboard/dashboard.js`);
    const unknown = await fetch(`${test.coordinator.url}/dashboard/package.json`);

    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-ratelimit-limit-rest')).toBeNull();
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+'){2};/);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/https?:|\*/);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(unknown.status).toBe(404);
  });

  it('should say clearly that a wrong API key was rejected, and keep nothing', async () => {
    const watch = await openDashboard();

    await signIn(watch.page, 'sfk_not-a-real-key');
    const message = watch.page.locator('form.sign-in .message');
    await expect.poll(() => message.textContent()).toContain('The coordinator rejected this API key');

    expect(await watch.page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await watch.page.locator('nav').count()).toBe(0);
    // The browser itself logs the refused request; nothing else may be logged.
    expect(watch.errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });

  it('should go back to sign-in, saying why, when the key is revoked while the page is open; and sign out', async () => {
    const keys = test.coordinator.app.get(ApiKeyService);
    const doomed = await test.coordinator.createApiKey('doomed');
    const watch = await openDashboard();
    await signIn(watch.page, doomed.key);
    await watch.page.waitForSelector('nav [data-tab="devices"].active');

    // Execute: the key is revoked; the next poll is refused.
    expect(await keys.revoke(doomed.id)).toBe(true);
    const message = watch.page.locator('form.sign-in .message');
    await expect.poll(() => message.count(), { timeout: 15_000 }).toBe(1);

    expect(await message.textContent()).toContain('no longer accepts this API key');
    expect(await watch.page.evaluate(() => sessionStorage.length)).toBe(0);
    // Sign in with a good key, then out: the key is forgotten.
    await signIn(watch.page);
    await watch.page.click('nav button.sign-out');
    await watch.page.waitForSelector('form.sign-in');
    expect(await watch.page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(watch.errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });

  it("should show a campaign's report with its charts drawn in the sandboxed frame", async () => {
    // Prepare: a finished kernel campaign on one measuring device (the only device online yet, so placement
    // "every" picks it alone).
    const measurer = await benchmarkDevice(test, 'bench-box');
    const started = await api<{ id: string }>(test, 'POST', '/api/campaigns', {
      name: 'dash-kernels',
      measure: 'kernel',
      matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: ['irregular', 'block'], density: [0.1, 0.5] },
      runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10, percentiles: [50, 90] },
    });
    expect(started.status).toBe(201);
    await eventually(async () => {
      const campaign = await api<{ state: string }>(test, 'GET', `/api/campaigns/${started.body.id}`);
      return campaign.body.state === 'completed' ? true : undefined;
    }, 400);
    measurer.leave();
    const watch = await signedIn();

    // Execute
    await watch.page.click('nav [data-tab="campaigns"]');
    await watch.page.click(`tr[data-key="${started.body.id}"] a`);
    const frameElement = await watch.page.waitForSelector('iframe.report');
    const frame = (await frameElement.contentFrame())!;
    await frame.waitForSelector('canvas');

    // Assert: every canvas of the report got a chart.js chart with data (its inline scripts ran under the policy).
    const charts = await eventually(async () => {
      const drawn = await frame.evaluate(() => {
        const win = window as unknown as { Chart?: { getChart(canvas: HTMLCanvasElement): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } };
        return [...document.querySelectorAll('canvas')].map((canvas) => win.Chart?.getChart(canvas)?.data.datasets.reduce((sum, dataset) => sum + dataset.data.length, 0) ?? 0);
      });
      return drawn.length > 0 && drawn.every((points) => points > 0) ? drawn : undefined;
    });
    expect(charts.length).toBeGreaterThan(0);
    expect(await frameElement.getAttribute('sandbox')).toBe('allow-scripts');
    expect(await watch.page.locator('a[download]').getAttribute('href')).toMatch(/^blob:/);
    expectCleanPage(watch);
  });

  it('should sign in with the API key and list an enrolled device with its facts', async () => {
    const device = await enrollAndGreet(test, 'dash-phone');
    sockets.push(device.socket);

    const watch = await signedIn();
    const row = watch.page.locator(`tr[data-key="${device.deviceId}"]`);
    await row.waitFor();

    const text = await row.textContent();
    expect(text).toContain('dash-phone');
    expect(text).toContain('online');
    expect(text).toContain(`${TEST_FACTS.platform} ${TEST_FACTS.arch} · ${TEST_FACTS.runtime}`);
    expect(text).toContain('wasm (SIMD)');
    expect(text).toContain('4.0 GiB');
    // The key is kept for this tab: a reload stays signed in.
    await watch.page.reload();
    await watch.page.waitForSelector(`tr[data-key="${device.deviceId}"]`);
    expectCleanPage(watch);
  });

  it('should create a token with its enrollment URL and QR code, and revoke it', async () => {
    const watch = await signedIn();
    const { page } = watch;
    await page.click('nav [data-tab="tokens"]');

    // Create
    await page.fill('input[name="maxUses"]', '2');
    await page.fill('input[name="labels"]', 'site=lab, tier=phone');
    await page.click('form.create-token button[type="submit"]');
    const link = page.locator('.created-token a.enrollment-url');
    await link.waitFor();
    const url = (await link.textContent())!;

    // The URL: <coordinator>/agent/ with the token in the fragment only, and the QR code encodes exactly it.
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(`${test.coordinator.url}/agent/`);
    expect(parsed.search).toBe('');
    const token = tokenFromFragment(parsed.hash)!;
    // The page is open at 127.0.0.1: the operator is warned that a phone cannot reach that URL.
    expect(await page.locator('.created-token .message').textContent()).toContain('loopback address');
    expect(token.length).toBeGreaterThan(16);
    const drawnPaths = await page.locator('.created-token .qr svg path').evaluateAll((paths) => paths.map((path) => path.getAttribute('d')));
    const expectedSvg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    expect(drawnPaths).toEqual([...expectedSvg.matchAll(/ d="([^"]+)"/g)].map((match) => match[1]));
    const listed = await api<Array<{ id: string; prefix: string; maxUses: number; labels: Record<string, string> }>>(test, 'GET', '/api/enrollment-tokens');
    const created = listed.body.find((entry) => token.startsWith(entry.prefix) && entry.maxUses === 2)!;
    expect(created.labels).toEqual({ site: 'lab', tier: 'phone' });
    // The token in the URL enrolls a device.
    const enrolling = await connect(test.coordinator.url, { enrollmentToken: token });
    const enrolled = await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'from-url' });
    enrolling.close();
    expect(enrolled.type).toBe('sparsefleet.v1.EnrollResponse');

    // Revoke
    const row = page.locator(`tr[data-key="${created.id}"]`);
    await row.locator('button.revoke').click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect(await row.locator('button.revoke').count()).toBe(0);
    const after = await api<Array<{ id: string; revokedAt: string | null }>>(test, 'GET', '/api/enrollment-tokens');
    expect(after.body.find((entry) => entry.id === created.id)?.revokedAt).toEqual(expect.any(String));
    expect((await refusalOf(test.coordinator.url, { enrollmentToken: token })).code).toBeTruthy();
    expectCleanPage(watch);
  });

  it("should follow a job's progress while the page stays open", async () => {
    // Prepare: a device that takes the job and reports step 1 of 10.
    const worker = await enrollAndGreet(test, 'dash-worker');
    sockets.push(worker.socket);
    const pushed = acceptNextJob(worker.socket);
    const submitted = await api<{ id: string }>(test, 'POST', '/api/jobs', {
      name: 'dash-job',
      config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 10 },
      selector: { deviceId: worker.deviceId },
    });
    expect(submitted.status).toBe(201);
    const assignment = await pushed;
    await request(worker.socket, 'sparsefleet.v1.ProgressReport', progressReport(assignment.jobId, assignment.attempt, 1));

    const watch = await signedIn();
    const { page } = watch;
    // The device's row links its current job: it opens the jobs page at that job.
    await page.locator(`tr[data-key="${worker.deviceId}"] a`).click();
    await page.waitForSelector('nav [data-tab="jobs"].active');
    await expect.poll(() => page.locator('.detail h3').textContent()).toBe(`Job ${submitted.body.id.slice(0, 8)}`);
    const row = page.locator(`tr[data-key="${submitted.body.id}"]`);
    await expect.poll(() => row.textContent()).toContain('10%');

    // Execute: more progress arrives while the page is open; then the result.
    await request(worker.socket, 'sparsefleet.v1.ProgressReport', progressReport(assignment.jobId, assignment.attempt, 5));
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('50%');
    await expect.poll(() => page.locator('.detail .summary').textContent()).toContain('step 5 of 10');
    const inked = await page.locator('.detail canvas').evaluate((canvas: HTMLCanvasElement) => {
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count += 1;
      return count;
    });
    expect(inked).toBeGreaterThan(0);
    await request(worker.socket, 'sparsefleet.v1.JobResult', jobResult(assignment.jobId, assignment.attempt));
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('succeeded');
    expectCleanPage(watch);
  });
});
