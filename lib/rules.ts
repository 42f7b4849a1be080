/**
 * The one rule type and its one runner (in the spirit of aws-cdk's validate-queue-props.ts): a check is
 * a table of `{ path, condition, message }` where `condition` is true when the rule is broken, and the
 * runner keeps the broken ones. Config rules (lib/config-rules.ts) and alert-rule invariants
 * (lib/monitoring/rule.ts) are written this way.
 */

/** One rule: broken when `condition` is true; `message` quotes the bad value and says why. */
export interface Rule {
  /** The field the rule is about (a config path such as `edge.rateLimits.api.burst`, or an object's name). */
  readonly path: string;
  readonly condition: boolean;
  readonly message: string;
}

/** A broken rule, as reported. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** The broken rules of a table, in table order. */
export function brokenRules(rules: readonly Rule[]): Problem[] {
  return rules.filter((r) => r.condition).map(({ path, message }) => ({ path, message }));
}
