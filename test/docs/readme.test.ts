/** lib/docs/readme.ts: the README shows the flow table and the policy list of the current code. */
import * as fs from 'fs';
import * as path from 'path';
import { renderReadme } from '../../lib/docs/readme';

test('the README flow table and NetworkPolicy list are generated from the flow table (run `npm run readme` when this fails)', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  expect(readme).toBe(renderReadme(readme));
});

test('a README without the generated block markers is refused with the block name', () => {
  expect(() => renderReadme('# nothing here\n')).toThrow(/<!-- generated:flows -->/);
});
