/**
 * The chart every chart of this project extends. On its way out, every manifest is
 * - hardened (lib/hardening.ts): the one place every workload passes through;
 * - stripped of cdk8s-plus' generated address label (`cdk8s.io/metadata.addr`), so that selectors and
 *   diffs only carry the stable labels of lib/labels.ts;
 * and object names carry no hash suffix.
 */
import { ApiObject, App, Chart, type ChartProps, DependencyGraph, JsonPatch } from 'cdk8s';
import { type Construct } from 'constructs';
import { type PodIdentity, hardeningPatches } from './hardening';

const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Removes cdk8s' address label wherever labels or selectors sit in a manifest, in place: a manifest from
 * `toJson()` is a fresh tree (cdk8s resolves every value into new objects), shared with nothing.
 */
function dropAddressLabels<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) dropAddressLabels(item);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (ADDRESS_LABEL in o) delete o[ADDRESS_LABEL];
    for (const k in o) dropAddressLabels(o[k]);
  }
  return value;
}

/** Apps whose `synth()` is running (cdk8s's App.synth validates the app and resolves its dependencies before it asks each chart for its manifests). */
const SYNTHESIZING = new WeakSet<App>();

/**
 * The app of this project's charts: cdk8s's App, whose synth first validates the whole app and resolves its
 * dependencies, then asks each chart for its manifests. cdk8s's Chart.toJson runs both passes over the whole app again
 * (so that a chart also works alone): once per chart, six times more. While this app synthesizes, a FactoryChart
 * skips that repetition; alone (a test, another team's App) it runs them as cdk8s does.
 */
export class FactoryApp extends App {
  public synth(): void {
    SYNTHESIZING.add(this);
    try {
      super.synth();
    } finally {
      SYNTHESIZING.delete(this);
    }
  }
}

/** A chart's API objects as JSON in dependency order, once its app's passes ran: what cdk8s's Chart.toJson then returns (its chartToKube). */
function manifestsOf(chart: Chart): any[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.toJson());
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
    const manifests = SYNTHESIZING.has(App.of(this)) ? manifestsOf(this) : super.toJson();
    return manifests.map((m) => JsonPatch.apply(dropAddressLabels(m), ...hardeningPatches(m, this.podIdentity)));
  }
}
