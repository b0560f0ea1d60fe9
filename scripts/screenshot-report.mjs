#!/usr/bin/env node
// Renders a campaign HTML report in headless Chromium at 1280 px and saves the top of the page as a PNG — the
// README's picture of the demo's report. Needs Debian's chromium (`apt-get install chromium`) or another Chromium
// named by CHROMIUM, and playwright-core (a dev dependency). Nothing is fetched: the report is self-contained and
// the browser runs with networking features off.
//
//   npm run build && npm run demo -- --quick        # writes sparsefleet-demo-report.html
//   node scripts/screenshot-report.mjs [report.html] [out.png] [--height 1750]
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const heightAt = args.indexOf('--height');
const height = heightAt === -1 ? 1750 : Number(args.splice(heightAt, 2)[1]);
const [input = 'sparsefleet-demo-report.html', output = join(root, 'docs/images/campaign-report.png')] = args;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(input)) {
  console.error(`no report at ${input}: run \`npm run demo -- --quick\` first (it writes sparsefleet-demo-report.html)`);
  process.exit(1);
}
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM`);
  process.exit(1);
}
if (!Number.isInteger(height) || height < 200) {
  console.error('--height takes a whole number of pixels (≥ 200)');
  process.exit(1);
}

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(input)).href);
  await page.waitForFunction(() => [...document.querySelectorAll('canvas')].every((canvas) => window.Chart?.getChart(canvas)));
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  mkdirSync(dirname(output), { recursive: true });
  await page.screenshot({ path: output, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, pageHeight) } });
  console.log(`${output}: ${Math.round(statSync(output).size / 1024)} KiB`);
} finally {
  await browser.close();
}
