/**
 * The app's charts (lib/app.ts): one per concern, in dependency order. Their manifests are reviewed in
 * dist/ (the golden files, kept fresh by `npm run check`); the guide's values are asserted one by one in
 * the suites of each area.
 */
import { parseConfig } from '../lib/config';
import { CONTROLLER_TARGET, synthCharts } from './support';

test('the app has one chart per concern, in dependency order (the WAF tier: no controller chart)', () => {
  expect(Object.keys(synthCharts())).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'monitoring']);
});

test('with edge.target ingress-nginx the controller\'s ConfigMaps get their chart, before monitoring', () => {
  expect(Object.keys(synthCharts(parseConfig(CONTROLLER_TARGET)))).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'edgeController', 'monitoring']);
});
