/** Prometheus durations (`30s`, `5m`, `1h30m`): units from y to ms, largest first. */

const PROM_DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const PROM_DURATION_UNITS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

/** A Prometheus duration in seconds (`5m` → 300); throws on anything else. */
export function promDurationSeconds(d: string): number {
  const m = PROM_DURATION_RE.exec(d);
  if (!m || d === '') throw new Error(`invalid Prometheus duration "${d}"`);
  return m.slice(1).reduce((sum, n, i) => sum + Number(n ?? 0) * PROM_DURATION_UNITS[i], 0);
}

/** Whether a string is a Prometheus duration longer than zero. */
export function isPromDuration(d: string): boolean {
  return PROM_DURATION_RE.test(d) && d !== '' && promDurationSeconds(d) > 0;
}
