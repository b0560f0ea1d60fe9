// JUnit XML of a verdict for CI systems: one test suite per scenario, one test case per invariant; a violated
// invariant is a failure listing its violations.
import type { Verdict } from './verdict.js';

export function verdictToJUnit(verdict: Verdict): string {
  const failures = verdict.invariants.filter((outcome) => outcome.violations.length > 0).length;
  const seconds = (verdict.figures.wallMs / 1000).toFixed(3);
  const cases = verdict.invariants.map((outcome) => {
    const open = `    <testcase classname="sparsefleet.sim.${xmlAttribute(verdict.scenario)}" name="${xmlAttribute(outcome.name)}: ${xmlAttribute(outcome.description)}" time="${seconds}">`;
    if (outcome.violations.length === 0) return `${open}</testcase>`;
    const body = outcome.violations.map((violation) => violation.message).join('\n');
    return `${open}\n      <failure message="${outcome.violations.length} violation(s)" type="${xmlAttribute(outcome.name)}">${xmlText(body)}</failure>\n    </testcase>`;
  });
  const properties = [
    ['seed', String(verdict.seed)],
    ['timeScale', String(verdict.timeScale)],
    ['devices', String(verdict.figures.devices)],
    ['jobs', String(verdict.figures.jobs)],
    ['simulatedMs', String(verdict.figures.simMs)],
    ['source', verdict.source],
  ]
    .map(([name, value]) => `      <property name="${name}" value="${xmlAttribute(value!)}"/>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sparsefleet sim" tests="${verdict.invariants.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xmlAttribute(verdict.scenario)}" tests="${verdict.invariants.length}" failures="${failures}" errors="0" time="${seconds}" timestamp="${verdict.startedAt}">`,
    '    <properties>',
    properties,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xmlText(text: string): string {
  // Characters XML 1.0 forbids (other control characters) are dropped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
