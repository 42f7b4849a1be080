/**
 * Which Ingress's rate limit a request spends, evaluated on the committed Ingresses the way ingress-nginx
 * v1.15.1 builds a host's locations (internal/ingress/controller/controller.go, createServers and
 * store.ListIngresses): every Prefix path of every Ingress of the host is a location, the longest matching
 * prefix serves the request; a path no Ingress routes falls to the host's root location, which, when no
 * Ingress routes "/", carries the annotations of the first Ingress of the host in the controller's order
 * (oldest first; same creation time, as after one `kubectl apply`: the greater namespace/name first).
 */
import { controllerSynthAll } from '../support';

const ANNOTATION = 'nginx.ingress.kubernetes.io/';
const ingresses = controllerSynthAll().filter((o) => o.kind === 'Ingress');

/** Whether a Prefix path matches a request path, element-wise as Kubernetes defines Prefix. */
const prefixMatches = (prefix: string, path: string) => prefix === '/' || path === prefix || path.startsWith(`${prefix.replace(/\/$/, '')}/`);

/** The Ingress whose annotations a request to `path` on the host runs under. */
function servingIngress(all: any[], path: string): any {
  const routes = all.flatMap((ing) => ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => ({ ing, prefix: p.path as string }))));
  const matching = routes.filter((r) => prefixMatches(r.prefix, path)).sort((a, b) => b.prefix.length - a.prefix.length);
  if (matching.length > 0) return matching[0].ing;
  const key = (ing: any) => `${ing.metadata.namespace}/${ing.metadata.name}`;
  return [...all].sort((a, b) => (key(a) > key(b) ? -1 : 1))[0];
}

/** The rate limit a request spends: `limit-rps`/`limit-rpm` of its Ingress. */
function rateLimitOf(all: any[], path: string): string {
  const a = servingIngress(all, path).metadata.annotations;
  return a[`${ANNOTATION}limit-rps`] !== undefined ? `${a[`${ANNOTATION}limit-rps`]}/s` : `${a[`${ANNOTATION}limit-rpm`]}/min`;
}

describe('only the authentication paths spend the auth budget', () => {
  it.each(['/', '/favicon.ico', '/robots.txt', '/index.html', '/api', '/api/agents', '/api/authors', '/apiary'])('GIVEN a request to %s THEN it spends the API budget (10/s)', (path) => {
    expect(rateLimitOf(ingresses, path)).toBe('10/s');
  });

  it.each(['/api/auth', '/api/auth/login', '/api/auth/token/refresh'])('GIVEN a request to %s THEN it spends the auth budget (5/min)', (path) => {
    expect(rateLimitOf(ingresses, path)).toBe('5/min');
  });

  it('GIVEN the host\'s Ingresses THEN one of them routes "/" (the catch-all)', () => {
    expect(ingresses.filter((i) => i.spec.rules[0].http.paths.some((p: any) => p.path === '/')).map((i) => i.metadata.name)).toEqual(['factory-default']);
  });

  it('GIVEN a control: the same Ingresses without the catch-all THEN /favicon.ico spends the auth budget (the bug it prevents)', () => {
    const without = ingresses.filter((i) => i.metadata.name !== 'factory-default');
    expect(rateLimitOf(without, '/favicon.ico')).toBe('5/min');
  });
});
