/**
 * The chart every chart of this project extends. On its way out, every manifest is
 * - hardened (lib/hardening.ts): the one place every workload passes through;
 * - stripped of cdk8s-plus' generated address label (`cdk8s.io/metadata.addr`), so that selectors and
 *   diffs only carry the stable labels of lib/labels.ts;
 * and object names carry no hash suffix.
 */
import { Chart, type ChartProps, JsonPatch } from 'cdk8s';
import { type Construct } from 'constructs';
import { type PodIdentity, hardeningPatches } from './hardening';

const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/** Removes cdk8s' address label wherever labels or selectors sit in a manifest. */
export function withoutAddressLabels(value: any): any {
  if (Array.isArray(value)) return value.map(withoutAddressLabels);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === ADDRESS_LABEL) continue;
    out[k] = withoutAddressLabels(v);
  }
  return out;
}

/** Properties of a `FactoryChart`. */
export interface FactoryChartProps extends ChartProps {
  /** The identity (uid, gid, fsGroup) every pod of the chart runs as. */
  readonly podIdentity: PodIdentity;
}

/**
 * The chart every chart of this project extends: names without hash suffixes, and every workload
 * hardened on its way out.
 */
export class FactoryChart extends Chart {
  private readonly podIdentity: PodIdentity;

  constructor(scope: Construct, id: string, props: FactoryChartProps) {
    const { podIdentity, ...chartProps } = props;
    super(scope, id, { disableResourceNameHashes: true, ...chartProps });
    this.podIdentity = podIdentity;
  }

  public toJson(): any[] {
    return super.toJson().map((m) => JsonPatch.apply(withoutAddressLabels(m), ...hardeningPatches(m, this.podIdentity)));
  }
}
