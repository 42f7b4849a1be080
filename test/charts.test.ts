/**
 * The app's charts (lib/app.ts): one per concern, in dependency order. Their manifests are reviewed in
 * dist/ (the golden files, kept fresh by `npm run check`); the guide's values are asserted one by one in
 * the suites of each area.
 */
import { synthCharts } from './support';

test('the app has one chart per concern, in dependency order', () => {
  expect(Object.keys(synthCharts())).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'edgeController', 'monitoring']);
});
