/** ConfigMaps that carry many files (the WAF tier's CRS rules folder): split within kubectl apply's budget. */
import { appliedDataBytes, packConfigMapData } from '../../lib/k8s/config-map';

const files = (sizes: number[]) => new Map(sizes.map((n, i) => [`f${i}.conf`, 'x'.repeat(n)]));

test('GIVEN files that fit together WHEN packed THEN one data map holds them all, in order', () => {
  const packed = packConfigMapData(files([10, 20, 30]), 100);
  expect(packed.map((d) => Object.keys(d))).toEqual([['f0.conf', 'f1.conf', 'f2.conf']]);
});

test('GIVEN files over the budget together WHEN packed THEN runs of consecutive files, each within the budget as JSON', () => {
  const packed = packConfigMapData(files([40, 40, 40, 10]), 100);
  expect(packed.map((d) => Object.keys(d))).toEqual([['f0.conf'], ['f1.conf'], ['f2.conf', 'f3.conf']]);
  expect(packed.every((d) => appliedDataBytes(d) <= 100)).toBe(true);
});

test('GIVEN a budget exactly met WHEN packed THEN the map is not split (the measure is the JSON kubectl stores)', () => {
  const two = files([20, 20]);
  const exact = appliedDataBytes(Object.fromEntries(two));
  expect(packConfigMapData(two, exact)).toHaveLength(1);
  expect(packConfigMapData(two, exact - 1)).toHaveLength(2);
});

test('GIVEN one file over the budget alone WHEN packed THEN it is refused, naming the file and its size', () => {
  expect(() => packConfigMapData(files([10, 200]), 100)).toThrow(/file "f1\.conf" weighs 214 bytes as JSON, over the 100-byte budget/);
});
