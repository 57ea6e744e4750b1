// Prints one plain closing line per Jest run, "jest: N passed, N failed, N skipped",
// which CI logs and humans can both read at a glance.
'use strict';
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    const failed = results.numFailedTests + (results.numFailedTests === 0 ? failedSuites : 0);
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    // CI adds the runs up into one closing line.
    if (process.env.SB_CI_SUMMARY) {
      require('node:fs').appendFileSync(process.env.SB_CI_SUMMARY, `${results.numPassedTests} ${failed} ${skipped}\n`);
    }
  }
}
module.exports = SummaryReporter;
