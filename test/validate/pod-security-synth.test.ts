/** Guide "Pod Security Context": every pod template the project synthesizes is admitted at restricted. */
import { synthesize } from '../../main';
import { manifestOutputs, parseManifests } from '../../lib/validate';
import { checkPodSecurity, podTemplateOf } from '../../lib/validate/pod-security';

const docs = parseManifests(manifestOutputs(synthesize({})));
const workloads = docs.filter((d) => podTemplateOf(d.object));

describe('synthesized workloads under Pod Security restricted', () => {
  it('GIVEN the synthesized output THEN it has pod templates to check (Deployments and StatefulSets)', () => {
    expect(new Set(workloads.map((d) => d.object.kind))).toEqual(new Set(['Deployment', 'StatefulSet']));
  });

  it.each(workloads.map((d) => [`${d.object.kind}/${d.object.metadata.name}`, d.object]))(
    'GIVEN %s WHEN checked at restricted:latest and restricted:v1.27 THEN it is admitted', (_name, object) => {
      expect(checkPodSecurity(object, 'restricted', 37)).toEqual([]);
      expect(checkPodSecurity(object, 'restricted', 27)).toEqual([]);
    });
});
