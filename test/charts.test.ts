/**
 * The app's charts (lib/app.ts): one per concern, in dependency order. Their manifests are reviewed in
 * dist/ (the golden files, kept fresh by `npm run check`); the guide's values are asserted one by one in
 * the suites of each area.
 */
import * as os from 'os';
import { App } from 'cdk8s';
import { buildApp } from '../lib/app';
import { defaultConfig, parseConfig } from '../lib/config';
import { synthToMemory } from '../lib/outputs';
import { manifestOutputs, parseManifests } from '../lib/validate';
import { CONTROLLER_TARGET, synthCharts } from './support';

test('the app has one chart per concern, in dependency order (the WAF tier: no controller chart)', () => {
  expect(Object.keys(synthCharts())).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'monitoring']);
});

test('with edge.target ingress-nginx the controller\'s ConfigMaps get their chart, before monitoring', () => {
  expect(Object.keys(synthCharts(parseConfig(CONTROLLER_TARGET)))).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'edgeController', 'monitoring']);
});

describe('FactoryApp (lib/chart.ts): one validation and dependency pass per synth, not one per chart', () => {
  // GIVEN two builds of the same app WHEN one is synthesized by FactoryApp and the other's charts are asked for their
  // manifests alone (cdk8s's own Chart.toJson, which repeats the app-wide passes) THEN the manifests are the same.
  const withPasses = () => {
    const { app } = buildApp(defaultConfig(), os.tmpdir());
    const synthChart = jest.spyOn(App, '_synthChart');
    try {
      return { manifests: app.charts.flatMap((c) => c.toJson()), passes: synthChart.mock.calls.length };
    } finally {
      synthChart.mockRestore();
    }
  };
  const synthesized = () => {
    const synthChart = jest.spyOn(App, '_synthChart');
    try {
      const outputs = synthToMemory((outdir) => buildApp(defaultConfig(), outdir).app, 'dist');
      return { manifests: parseManifests(manifestOutputs(outputs)).map((d) => d.object), passes: synthChart.mock.calls.length };
    } finally {
      synthChart.mockRestore();
    }
  };

  test('GIVEN the app WHEN FactoryApp synthesizes it THEN its manifests are those of each chart asked alone', () => {
    expect(synthesized().manifests).toEqual(JSON.parse(JSON.stringify(withPasses().manifests)));
  });

  test('GIVEN the app WHEN FactoryApp synthesizes it THEN no chart repeats cdk8s\'s app-wide passes; asked alone each chart does (control)', () => {
    expect(synthesized().passes).toBe(0);
    expect(withPasses().passes).toBe(6);
  });
});
