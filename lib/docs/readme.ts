/**
 * The README's generated blocks: each lives between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` and is rendered from the same data as the manifests. `npm run readme`
 * rewrites them; a test fails when the README's copy is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig } from '../config';
import { flowTableMarkdown, policyNames } from '../network/markdown';
import { projectRoot } from '../validate/schema';
import { WAF_CATEGORIES, wafRules } from '../waf/rules';

/** Block name → content, from the guide's default config. */
export function generatedBlocks(): Record<string, string> {
  const c = defaultConfig();
  return {
    'flows': flowTableMarkdown(c),
    'networkpolicies': ['```console', `$ kubectl get networkpolicies -n ${c.namespace} -o name`,
      ...policyNames(c).map((n) => `networkpolicy.networking.k8s.io/${n}`), '```'].join('\n'),
    'waf-rules': ['| id | guide category | phase | action | what it catches |', '| ---: | --- | ---: | --- | --- |',
      ...wafRules(c).map((r) => `| ${r.id} | ${WAF_CATEGORIES[r.category].title} | ${r.phase} | ${r.action.kind} | ${r.message} |`)].join('\n'),
    // The library example as it is compiled and run by test/library.test.ts.
    'library-example': ['```ts', fs.readFileSync(path.join(projectRoot(), 'examples', 'library.ts'), 'utf8').trimEnd(), '```'].join('\n'),
  };
}

/** The README with every generated block replaced by its current content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, content] of Object.entries(generatedBlocks())) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no block <!-- generated:${name} --> … <!-- /generated:${name} -->`);
    out = out.replace(re, (_m, open, close) => `${open}${content}\n${close}`);
  }
  return out;
}
