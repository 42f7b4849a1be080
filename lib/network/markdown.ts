/**
 * The flow table as markdown, for the README (a test fails when the README's copy is stale), and the
 * list `kubectl get networkpolicies -n factory` prints.
 */
import type { FactoryConfig } from '../config';
import { type Endpoint, endpointName, flowTable } from './flows';
import { DEFAULT_DENY_POLICY, policyName, policySides } from './policies';

function describe(e: Endpoint): string {
  switch (e.kind) {
    case 'component': return `\`${e.component}\` pods`;
    case 'all-pods': return 'every pod of the namespace';
    case 'local-pods': return `\`${endpointName(e)}\` pods (${Object.entries(e.podLabels).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    case 'pods': return `\`${e.label}\` (namespace ${e.namespace}, ${Object.entries(e.podLabels).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    case 'cidr': return `\`${e.label}\` (${e.cidr}${e.except.length ? ` except ${e.except.join(', ')}` : ''})`;
  }
}

/** The allowed flows as a markdown table. */
export function flowTableMarkdown(c: FactoryConfig): string {
  const rows = flowTable(c).map((f) => {
    const policies = policySides(f).map((side) => `\`${policyName(f, side)}\``).join(', ');
    const ports = f.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
    return `| ${describe(f.from)} | ${describe(f.to)} | ${ports} | ${policies} | ${f.why} |`;
  });
  return ['| from | to | ports | NetworkPolicies | why |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The policy names, in the order `kubectl get networkpolicies` lists them (alphabetical). */
export function policyNames(c: FactoryConfig): string[] {
  return [DEFAULT_DENY_POLICY, ...flowTable(c).flatMap((f) => policySides(f).map((side) => policyName(f, side)))].sort();
}
