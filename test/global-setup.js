// Every temporary file of a test run lands in one folder, removed when the run ends: cdk8s' and cdktf's
// `Testing` helpers make an outdir in os.tmpdir() per app and never remove it. TMPDIR is set before the
// workers start, so they and the processes the tests spawn inherit it.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-test-'));
  // Like /tmp itself, traversable by others: the WAF harness's nginx workers run as `nobody`.
  fs.chmodSync(dir, 0o755);
  process.env.FACTORY_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
