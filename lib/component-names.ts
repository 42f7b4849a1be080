/** The names of the platform's components, in a stable order (output follows this order). */
export const COMPONENT_NAMES = ['api', 'worker', 'dashboard', 'redis', 'postgresql'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];
/** The WAF tier's name (`edge.target: waf-tier`): a workload of the namespace beside the components. */
export const WAF_TIER_NAME = 'waf';
/** Every workload the namespace runs: the components, and the WAF tier. */
export type WorkloadName = ComponentName | typeof WAF_TIER_NAME;
