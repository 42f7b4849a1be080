/**
 * The PrometheusRule construct: emits alert rules given as data, after checking each one. A rule whose
 * expression does not parse as PromQL (or that lacks what every alert must carry) stops the synth here,
 * with the alert's name: nothing invalid reaches dist/.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrules-monitoring.coreos.com';
import type { AlertRule } from './alerts';
import { InvalidPromqlError, assertPromql } from './promql';
import { brokenRules } from '../rules';

/** Properties of `AlertRules`. */
export interface AlertRulesProps {
  /** Object name of the PrometheusRule. */
  readonly name: string;
  /** Namespace of the PrometheusRule (required, no default). */
  readonly namespace: string;
  /** Labels of the PrometheusRule (Prometheus' ruleSelector matches on them). @default {} */
  readonly labels?: Record<string, string>;
  /** Name of the one rule group. */
  readonly groupName: string;
  /** The alerts, in output order. */
  readonly rules: readonly AlertRule[];
}

/** A refused alert rule (other than a PromQL syntax error): names the alert and the reason. */
export class InvalidAlertRuleError extends Error {
  constructor(readonly alert: string, readonly reasons: string[]) {
    super(`alert ${alert || '(unnamed)'}: ${reasons.join('; ')}`);
    this.name = 'InvalidAlertRuleError';
  }
}

const ALERT_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What every alert rule must satisfy besides parsing (lib/rules.ts), each rule's path its alert name. */
export function alertRuleProblems(rule: AlertRule, seen: ReadonlySet<string>): string[] {
  const path = rule.alert;
  return brokenRules([
    { path, condition: !ALERT_NAME_RE.test(rule.alert), message: `name "${rule.alert}" is not a valid alert name ([a-zA-Z_][a-zA-Z0-9_]*)` },
    { path, condition: seen.has(rule.alert), message: 'is defined twice' },
    { path, condition: !rule.labels.severity, message: 'has no severity label' },
    { path, condition: !rule.annotations.summary, message: 'has no summary annotation' },
    { path, condition: !rule.annotations.description, message: 'has no description annotation' },
    { path, condition: !/^https?:\/\/[^#\s]+#[\w-]+$/.test(rule.annotations.runbook_url), message: `runbook_url "${rule.annotations.runbook_url}" is not a link to a section` },
  ]).map((p) => p.message);
}

/**
 * Checks every rule (PromQL syntax first, then `alertRuleProblems`) and throws on the first refused one:
 * `InvalidPromqlError` or `InvalidAlertRuleError`, both naming the alert.
 */
export function assertAlertRules(rules: readonly AlertRule[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    assertPromql(rule.alert, rule.expr);
    const problems = alertRuleProblems(rule, seen);
    if (problems.length > 0) throw new InvalidAlertRuleError(rule.alert, problems);
    seen.add(rule.alert);
  }
}

/** A PrometheusRule with one group of checked alert rules. */
export class AlertRules extends Construct {
  constructor(scope: Construct, id: string, props: AlertRulesProps) {
    super(scope, id);
    assertAlertRules(props.rules);
    new PrometheusRule(this, 'rule', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        groups: [{
          name: props.groupName,
          rules: props.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: { ...r.labels },
            annotations: { ...r.annotations },
          })),
        }],
      },
    });
  }
}

export { InvalidPromqlError };
