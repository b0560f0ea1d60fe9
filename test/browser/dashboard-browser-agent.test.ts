// The dashboard and a real browser agent together in Debian's Chromium: an /agent/ page enrolls from its token URL
// and heartbeats (its page visibility included); the dashboard, signed in with an API key, lists that device with
// platform browser-…, its wasm backend and the page's visibility, taken from the same REST API (whose OpenAPI schema
// names the two browser telemetry fields). Neither page logs a console error. Skipped where /usr/bin/chromium is
// missing.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../e2e/rest-client.js';
import { CHROMIUM, enrollPage, haveChromium, openPage, startRig, type BrowserAgentRig } from './agent-support.js';

interface DeviceEntry {
  readonly id: string;
  readonly chosenBackend: string;
  readonly facts: { readonly platform: string; readonly runtime: string };
  readonly telemetry: { readonly visibility: string | null; readonly thermalState: string | null } | null;
}

interface OpenApiDocument {
  readonly components: { readonly schemas: Record<string, { properties?: Record<string, unknown> }> };
}

if (!haveChromium) console.warn(`dashboard + browser agent test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!haveChromium)('dashboard lists a browser agent', () => {
  let rig: BrowserAgentRig;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-dashboard.mjs'], { stdio: 'pipe' });
    rig = await startRig();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('shows the enrolled browser device with platform browser, its backend and its page visibility', async () => {
    const agent = await openPage(rig.browser);
    const deviceId = await enrollPage(rig, agent.page);

    // REST: the heartbeat's visibility reaches the device view (the page is open, so "visible").
    let device: DeviceEntry | undefined;
    await expect
      .poll(async () => {
        device = (await getJson<DeviceEntry[]>(rig.rest, '/api/devices')).find((entry) => entry.id === deviceId);
        return device?.telemetry?.visibility;
      }, { timeout: 30_000 })
      .toBe('visible');
    expect(device!.facts.platform).toMatch(/^browser-/);
    expect(device!.chosenBackend).toBe('wasm');
    const thermalState = device!.telemetry!.thermalState;
    // Chromium's Compute Pressure API is not exposed to a headless page here: null, or one of the spec's states.
    expect(thermalState === null || ['nominal', 'fair', 'serious', 'critical'].includes(thermalState)).toBe(true);
    const openApi = await getJson<OpenApiDocument>(rig.rest, '/api/docs/json');
    expect(Object.keys(openApi.components.schemas.Telemetry?.properties ?? {})).toEqual(expect.arrayContaining(['visibility', 'thermalState']));

    // The dashboard, signed in with an API key, lists it.
    const dashboard = await openPage(rig.browser);
    await dashboard.page.goto(`${rig.coordinator.url}/dashboard/`);
    await dashboard.page.fill('input[name="apiKey"]', rig.rest.apiKey);
    await dashboard.page.click('form.sign-in button[type="submit"]');
    const row = dashboard.page.locator(`tr[data-key="${deviceId}"]`);
    await row.waitFor({ timeout: 30_000 });
    const cells = await row.locator('td').allTextContents();
    const headers = await dashboard.page.locator('section[data-page="devices"] th').allTextContents();
    const cell = (header: string) => cells[headers.indexOf(header)];
    expect(cell('State')).toBe('online');
    expect(cell('Page')).toBe('visible');
    expect(cell('Platform')).toBe(`${device!.facts.platform} wasm32 · ${device!.facts.runtime}`);
    expect(cell('Backend')).toMatch(/^wasm/);

    expect(agent.errors).toEqual([]);
    expect(dashboard.errors).toEqual([]);
    await dashboard.context.close();
    await agent.context.close();
  }, 180_000);
});
