// Removes the run's temporary folder (see global-setup.js).
const fs = require('fs');

module.exports = async () => {
  const dir = process.env.FACTORY_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
