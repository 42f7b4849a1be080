/**
 * lib/monitoring/promql.ts: the syntax gate (Prometheus' own lezer grammar) and the builders that quote
 * and escape label values.
 */
import { anyOf, assertPromql, InvalidPromqlError, labelIn, promqlSyntaxErrors, quote, selector } from '../../lib/monitoring/promql';

describe('the PromQL syntax gate', () => {
  test('GIVEN a well-formed alert expression WHEN checked THEN it has no syntax error', () => {
    expect(promqlSyntaxErrors('sum by (ingress) (increase(nginx_ingress_controller_requests{status="403"}[5m])) > 50')).toEqual([]);
  });

  test.each([
    ['an unclosed call', 'sum(rate(x[5m]) > 3'],
    ['two selectors side by side', 'foo bar'],
    ['a dangling operator', 'rate(x[5m]) >'],
    ['an unterminated label value', 'x{a="b} > 1'],
    ['an empty expression', '  '],
  ])('GIVEN %s WHEN checked THEN it is reported as a syntax error', (_what, expr) => {
    expect(promqlSyntaxErrors(expr).length).toBeGreaterThan(0);
  });

  test('GIVEN an expression that does not parse WHEN asserted for an alert THEN the error names the alert and the offset', () => {
    expect(() => assertPromql('SomeAlert', 'sum(rate(x[5m]) > 3')).toThrow(InvalidPromqlError);
    expect(() => assertPromql('SomeAlert', 'sum(rate(x[5m]) > 3')).toThrow(/alert SomeAlert: expression does not parse as PromQL: at offset \d+/);
  });
});

describe('the builders escape what they are given', () => {
  test('GIVEN a value with a quote and a backslash WHEN quoted THEN the selector still parses and keeps the value', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(promqlSyntaxErrors(selector('m', [{ label: 'x', op: '=', value: 'a"b\\c' }]))).toEqual([]);
  });

  test('GIVEN names with regex metacharacters WHEN alternated THEN each is matched literally', () => {
    const re = anyOf(['factory-api', 'a.b']);
    expect(re).toBe('factory-api|a\\.b');
    expect(new RegExp(`^(?:${re})$`).test('aXb')).toBe(false);
    expect(new RegExp(`^(?:${re})$`).test('a.b')).toBe(true);
  });

  test('GIVEN one value THEN labelIn is an equality, GIVEN several THEN a regex match', () => {
    expect(labelIn('status', ['429'])).toEqual({ label: 'status', op: '=', value: '429' });
    expect(labelIn('status', ['401', '403'])).toEqual({ label: 'status', op: '=~', value: '401|403' });
  });
});
