/** .github/dependabot.yml: the guide's "Regular Security Tasks", "Update dependencies: Weekly". */
import { DEPENDABOT_PATH, loadYaml } from './support';

const config = loadYaml(DEPENDABOT_PATH);
const updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string } }[] = config.updates;
const entry = (ecosystem: string) => {
  const found = updates.filter((u) => u['package-ecosystem'] === ecosystem);
  if (found.length !== 1) throw new Error(`expected one ${ecosystem} entry, found ${found.length}`);
  return found[0];
};

describe('Regular Security Tasks: Update dependencies (Weekly)', () => {
  test('the config is Dependabot version 2', () => {
    expect(config.version).toBe(2);
  });

  test.each(['npm', 'github-actions', 'docker', 'docker-compose'])('GIVEN the %s ecosystem THEN it is updated weekly from the repository root', (ecosystem) => {
    expect(entry(ecosystem)).toMatchObject({ directory: '/', schedule: { interval: 'weekly' } });
  });

  test('every ecosystem of the config is scheduled weekly (none left on a slower or missing schedule)', () => {
    expect(updates.length).toBeGreaterThanOrEqual(4);
    for (const u of updates) expect([u['package-ecosystem'], u.schedule?.interval]).toEqual([u['package-ecosystem'], 'weekly']);
  });
});
