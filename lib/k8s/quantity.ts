/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `128M`, `1e3`) as numbers, so that requests,
 * limits and LimitRange bounds read from manifests can be compared whatever notation they use.
 */

const SUFFIX: Record<string, number> = {
  'n': 1e-9, 'u': 1e-6, 'm': 1e-3, '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it is not a quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY_RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ''];
}

/** Rounds up to a whole number, ignoring floating-point noise (`0.1 × 1000` is 100, not 101). */
function wholeUp(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : Math.ceil(v);
}

/** Whether a value is a quantity of 0 or more (a request, a limit, a size). */
export function isNonNegativeQuantity(q: unknown): boolean {
  const v = parseQuantity(q);
  return v !== undefined && v >= 0;
}

/** A CPU quantity (`500m`, `2`, `0.5`) in millicores, rounded up as the API server does; throws on a non-quantity. */
export function cpuMillis(q: string): number {
  const v = parseQuantity(q);
  if (v === undefined) throw new Error(`invalid CPU quantity "${q}"`);
  return wholeUp(v * 1000);
}

/** A memory or storage quantity (`512Mi`, `4Gi`, `512M`) in bytes, rounded up; throws on a non-quantity. */
export function memoryBytes(q: string): number {
  const v = parseQuantity(q);
  if (v === undefined) throw new Error(`invalid memory quantity "${q}"`);
  return wholeUp(v);
}
