/** `npm run readme`: rewrites the README's generated blocks (flow table, policy list) from the data. */
import * as fs from 'fs';
import { renderReadme } from '../lib/docs/readme';

const before = fs.readFileSync('README.md', 'utf8');
const after = renderReadme(before);
if (after !== before) fs.writeFileSync('README.md', after);
process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md regenerated\n');
