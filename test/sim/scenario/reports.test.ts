// The run's reports: JUnit XML with one failing test case per violated invariant (escaped), the JSON report, and
// the self-contained HTML timeline (chart.js inlined, data embedded, no external resource).
import { describe, expect, it } from 'vitest';
import { checkInvariants, type RunObservations } from '../../../client/src/sim/scenario/invariants.js';
import { verdictToJson } from '../../../client/src/sim/scenario/report-json.js';
import { verdictToJUnit } from '../../../client/src/sim/scenario/report-junit.js';
import { renderTimelineHtml } from '../../../client/src/sim/scenario/timeline-html.js';
import { buildVerdict } from '../../../client/src/sim/scenario/verdict.js';

const run: RunObservations = {
  jobs: [{ id: 'j<1>', name: 'a&b', state: 'running', attempt: 2, waitingReason: null, memoryBytes: null, results: [], progress: [] }],
  acknowledged: [{ deviceIndex: 3, jobId: 'j<1>', attempt: 1, kind: 'result', sequence: 9 }],
  assignments: [],
  leaseExpiries: [],
  devices: [],
  leaseMs: 1000,
};

const verdict = buildVerdict({
  scenario: 'ci-200',
  source: 'test/scenarios/ci-200.yaml',
  seed: 3,
  timeScale: 30,
  time: 'wall',
  startedAt: '2026-01-01T00:00:00.000Z',
  figures: {
    devices: 200, realEngines: 0, jobs: 1, succeeded: 0, failed: 0, unfinished: 1, wallMs: 12_345, simMs: 370_350, events: 500,
    eventsPerSecond: 40.5, acknowledgedReports: 1, leaseExpiries: 0, coordinatorPeakRssBytes: 150 * 1_048_576, coordinatorRestarts: 1, faults: { kill: 2 },
  },
  invariants: checkInvariants(run),
});

const timeline = {
  samples: [
    { simMs: 0, devicesOnline: 0, jobs: { queued: 1, running: 0, succeeded: 0, failed: 0 } },
    { simMs: 30_000, devicesOnline: 180, jobs: null },
  ],
  marks: [{ simMs: 20_000, label: 'coordinator killed </script>' }],
};

describe('simulated-run reports', () => {
  it('JUnit: one test case per invariant, the violated ones failing with their messages escaped', () => {
    const xml = verdictToJUnit(verdict);
    expect(xml).toMatch(/<testsuite name="ci-200" tests="5" failures="2" errors="0" time="12\.345"/);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml).toContain('job a&amp;b (j&lt;1&gt;) did not finish');
    expect(xml).toContain('<property name="seed" value="3"/>');
    expect(xml).not.toMatch(/j<1>/);
  });

  it('JSON: the verdict with every violation and the timeline', () => {
    const parsed = JSON.parse(verdictToJson(verdict, timeline));
    expect(parsed.format).toBe('sparsefleet-sim-run/1');
    expect(parsed.verdict.passed).toBe(false);
    expect(parsed.verdict.invariants.find((outcome: { name: string }) => outcome.name === 'no-acked-report-lost').violations).toHaveLength(1);
    expect(parsed.timeline.samples).toHaveLength(2);
  });

  it('HTML: self-contained, verdict and timeline data embedded, nothing can close the script early', () => {
    const html = renderTimelineHtml(verdict, timeline);
    expect(html).toContain('verdict: FAIL');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('Chart'); // chart.js inlined
    const data = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html)!;
    expect(JSON.parse(data[1]!).marks[0].label).toBe('coordinator killed </script>');
    expect(html).toContain('coordinator killed &lt;/script&gt;');
  });
});
