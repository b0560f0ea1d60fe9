// Prints the plain "N passed, N failed, N skipped" line CI reads, from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const suitesThatDidNotRun = (report.testResults ?? []).filter(
  (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).length === 0,
).length;
// A run that failed outside any test (a global setup, an unhandled error) must not read as "0 failed".
const failedOutsideTests = report.success === false && (report.numFailedTests ?? 0) + suitesThatDidNotRun === 0 ? 1 : 0;
if (failedOutsideTests) console.log('the run failed outside any test (see the vitest output above)');
const failed = (report.numFailedTests ?? 0) + suitesThatDidNotRun + failedOutsideTests;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
for (const suite of report.testResults ?? []) {
  if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
    console.log(`suite failed to run: ${suite.name}: ${(suite.message ?? '').split('\n')[0]}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
