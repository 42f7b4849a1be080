/**
 * Builds the whole cdk8s app from a config: one chart per concern, each written to its own file in
 * `dist/`, ordered by dependency (the namespace first).
 */
import { type App, YamlOutputType } from 'cdk8s';
import { FactoryApp } from './chart';
import type { FactoryConfig } from './config';
import { EdgeChart, EdgeControllerChart, EdgeWafChart, FACTORY_INGRESSES } from './edge/chart';
import { MonitoringChart, edgeMonitoring } from './monitoring/chart';
import { NamespaceChart, NetworkChart, WorkloadsChart, addVaultAuthCharts } from './charts';

/** The charts of the app, by concern. */
export interface FactoryCharts {
  readonly namespace: NamespaceChart;
  readonly workloads: WorkloadsChart;
  readonly network: NetworkChart;
  readonly edgeWaf: EdgeWafChart;
  readonly edge: EdgeChart;
  /** The ingress controller's ConfigMaps (ingress-nginx target only). */
  readonly edgeController?: EdgeControllerChart;
  readonly monitoring: MonitoringChart;
}

/** Builds the app's charts in `app` (the same code serves synth and tests). */
export function buildCharts(app: App, config: FactoryConfig): FactoryCharts {
  const namespace = new NamespaceChart(app, 'namespace', { config });
  const workloads = new WorkloadsChart(app, 'workloads', { config });
  workloads.addDependency(namespace);
  const network = new NetworkChart(app, 'network', { config });
  network.addDependency(workloads);
  // Vault outside the cluster: its token-reviewer ServiceAccount (lib/vault-auth.ts); nothing otherwise.
  addVaultAuthCharts(app, config, namespace);
  // The edge: WAF rules (applied before the controller), cert-manager and Ingresses, and the controller's
  // ConfigMaps (the same settings as ingress-nginx/values.yaml, for controllers not installed with Helm).
  const edgeWaf = new EdgeWafChart(app, 'edge-waf', { config });
  edgeWaf.addDependency(namespace);
  const edge = new EdgeChart(app, 'edge', { config });
  edge.addDependency(edgeWaf);
  const edgeController = config.edge.target === 'ingress-nginx' ? new EdgeControllerChart(app, 'edge-controller', { config }) : undefined;
  edgeController?.addDependency(edge);
  // Monitoring: the security alerts (PrometheusRule) on the edge's request counter, and its ServiceMonitor.
  const monitoring = new MonitoringChart(app, 'monitoring', { config, ...edgeMonitoring(config, FACTORY_INGRESSES) });
  monitoring.addDependency(namespace);
  return { namespace, workloads, network, edgeWaf, edge, edgeController, monitoring };
}

/** A new app that writes one YAML file per chart into `outdir`. */
export function buildApp(config: FactoryConfig, outdir: string): { app: App; charts: FactoryCharts } {
  const app = new FactoryApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  return { app, charts: buildCharts(app, config) };
}

