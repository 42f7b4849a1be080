/**
 * PromQL: small builders that quote and escape what they are given, and the syntax check every alert
 * expression passes before it can be synthesized. The check is the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the parser of the Prometheus UI): a parse tree holding an error node
 * means the expression does not parse.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { escapeRegExp } from '../text';

/** One place where an expression stops parsing. */
export interface PromqlSyntaxError {
  /** Character offset of the error in the expression. */
  readonly offset: number;
  /** The text around it, for the message. */
  readonly near: string;
}

/** The syntax errors of a PromQL expression: none when it parses. An empty expression is an error. */
export function promqlSyntaxErrors(expr: string): PromqlSyntaxError[] {
  if (expr.trim() === '') return [{ offset: 0, near: '(empty expression)' }];
  const errors: PromqlSyntaxError[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push({ offset: node.from, near: expr.slice(Math.max(0, node.from - 20), node.from + 20) });
      }
    },
  });
  return errors;
}

/** An alert whose expression does not parse: names the alert, the offset and the text around it. */
export class InvalidPromqlError extends Error {
  constructor(readonly alert: string, readonly expr: string, readonly errors: PromqlSyntaxError[]) {
    super(`alert ${alert}: expression does not parse as PromQL: `
      + errors.map((e) => `at offset ${e.offset} near "${e.near}"`).join('; ') + `\n  expr: ${expr}`);
    this.name = 'InvalidPromqlError';
  }
}

/** Throws `InvalidPromqlError` (naming `alert`) unless `expr` parses. */
export function assertPromql(alert: string, expr: string): void {
  const errors = promqlSyntaxErrors(expr);
  if (errors.length > 0) throw new InvalidPromqlError(alert, expr, errors);
}

// ---------------------------------------------------------------------------------------------------
// Builders: values are quoted and escaped here, nowhere else.
// ---------------------------------------------------------------------------------------------------

/** A PromQL double-quoted string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An RE2 alternation that matches exactly the given literal values (regex metacharacters escaped). */
export function anyOf(values: readonly string[]): string {
  if (values.length === 0) throw new Error('anyOf needs at least one value');
  return values.map(escapeRegExp).join('|');
}

/** A label matcher. */
export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** Matches a label against one value (`=`) or any of several (`=~`, values escaped). */
export function labelIn(label: string, values: readonly string[]): Matcher {
  return values.length === 1 ? { label, op: '=', value: values[0] } : { label, op: '=~', value: anyOf(values) };
}

/** An instant vector selector: `metric{label="value", …}`. */
export function selector(metric: string, matchers: readonly Matcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ')}}`;
}
