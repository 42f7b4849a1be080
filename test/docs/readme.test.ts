/** lib/docs/readme.ts: the README shows the flow table and the policy list of the current code. */
import * as fs from 'fs';
import * as path from 'path';
import { renderReadme } from '../../lib/docs/readme';
import { INCIDENT_RESPONSE_ANCHOR } from '../../lib/monitoring/alerts';

test('the README flow table and NetworkPolicy list are generated from the flow table (run `npm run readme` when this fails)', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  expect(readme).toBe(renderReadme(readme));
});

test('a README without the generated block markers is refused with the block name', () => {
  expect(() => renderReadme('# nothing here\n')).toThrow(/<!-- generated:flows -->/);
});

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

test('Incident Response: the alerts\' runbook anchor is a heading of the README', () => {
  const anchors = README.split('\n').filter((l) => /^#{1,4} /.test(l)).map((l) => anchor(l.replace(/^#+ /, '')));
  expect(anchors).toContain(INCIDENT_RESPONSE_ANCHOR);
});

test('Incident Response: the README maps the guide\'s five steps', () => {
  const section = README.slice(README.indexOf('## Incident response'), README.indexOf('## Regular security tasks'));
  for (const step of ['Detection', 'Analysis', 'Containment', 'Recovery', 'Post-mortem']) expect(section).toContain(`**${step}.**`);
  expect(section).toContain('kubectl label pod <pod> -n factory security.factory.io/quarantine=true');
});

test.each([
  ['Review security scan results', 'Daily'], ['Update dependencies', 'Weekly'], ['Rotate secrets', 'Monthly'],
  ['Security audit', 'Quarterly'], ['Penetration testing', 'Annually'],
])('Regular Security Tasks: "%s" (%s) has its row in the README', (task, frequency) => {
  expect(README).toMatch(new RegExp(`^\\| ${task} \\| ${frequency} \\| .+ \\|$`, 'm'));
});
