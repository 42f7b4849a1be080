/**
 * One snapshot per chart of the app (lib/app.ts): a reviewer sees every manifest change of a pull request
 * twice, in dist/ and here. The values the guide names are asserted one by one in the suites of each area.
 */
import { synthCharts } from './support';

const charts = synthCharts();

test('the app has one chart per concern, in dependency order', () => {
  expect(Object.keys(charts)).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'edgeController', 'monitoring']);
});

test.each(Object.keys(charts))('the %s chart matches its snapshot', (id) => {
  expect(charts[id]).toMatchSnapshot();
});
