/**
 * Guide "Rate Limiting", "TLS/SSL Configuration" (ciphers) and "Kubernetes Ingress": the Ingresses
 * factory-api and factory-auth, with only Low/High-risk ingress-nginx annotations.
 */
import { ConfigError } from '../../lib/config';
import { controllerCharts, controllerConfig, controllerSynthAll, find } from '../support';

const PREFIX = 'nginx.ingress.kubernetes.io/';

/**
 * The annotations an Ingress may carry, with their ingress-nginx risk level: nothing Critical (every
 * `*-snippet` is Critical and refused by `annotations-risk-level: High`).
 */
const ALLOWED_ANNOTATIONS: Record<string, 'Low' | 'Medium' | 'High'> = {
  'enable-modsecurity': 'Low',
  'enable-owasp-core-rules': 'Low',
  'modsecurity-transaction-id': 'High',
  'limit-rps': 'Low',
  'limit-rpm': 'Low',
  'limit-burst-multiplier': 'Low',
  'ssl-ciphers': 'Low',
  'ssl-prefer-server-ciphers': 'Low',
};

const edge = controllerCharts().edge;
const api = find(edge, 'Ingress', 'factory-api');
const auth = find(edge, 'Ingress', 'factory-auth');
const annotation = (ingress: any, name: string) => ingress.metadata.annotations[`${PREFIX}${name}`];

describe('Ingresses (guide: Kubernetes Ingress, Rate Limiting, TLS)', () => {
  test.each([['factory-api', api], ['factory-auth', auth]])('GIVEN the guide WHEN synthesized THEN %s serves factory.example.com over TLS from Secret factory-tls with class nginx', (_name, ingress) => {
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.metadata.namespace).toBe('factory');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['factory.example.com'], secretName: 'factory-tls' }]);
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['factory.example.com']);
  });

  test('GIVEN the API paths WHEN synthesized THEN factory-api routes /api to Service factory-api port 8000', () => {
    expect(api.spec.rules[0].http.paths).toEqual([
      { path: '/api', pathType: 'Prefix', backend: { service: { name: 'factory-api', port: { number: 8000 } } } },
    ]);
  });

  test('GIVEN the auth paths WHEN synthesized THEN factory-auth routes /api/auth to Service factory-api port 8000', () => {
    expect(auth.spec.rules[0].http.paths).toEqual([
      { path: '/api/auth', pathType: 'Prefix', backend: { service: { name: 'factory-api', port: { number: 8000 } } } },
    ]);
  });

  test('GIVEN "API endpoints: 10 requests/second with burst of 20" WHEN synthesized THEN factory-api has limit-rps 10 and burst multiplier 2', () => {
    expect(annotation(api, 'limit-rps')).toBe('10');
    expect(annotation(api, 'limit-burst-multiplier')).toBe('2');
    expect(Number(annotation(api, 'limit-rps')) * Number(annotation(api, 'limit-burst-multiplier'))).toBe(20);
    expect(annotation(api, 'limit-rpm')).toBeUndefined();
  });

  test('GIVEN "Auth endpoints: 5 requests/minute with burst of 5" WHEN synthesized THEN factory-auth has limit-rpm 5 and burst multiplier 1', () => {
    expect(annotation(auth, 'limit-rpm')).toBe('5');
    expect(annotation(auth, 'limit-burst-multiplier')).toBe('1');
    expect(Number(annotation(auth, 'limit-rpm')) * Number(annotation(auth, 'limit-burst-multiplier'))).toBe(5);
    expect(annotation(auth, 'limit-rps')).toBeUndefined();
  });

  test.each([['factory-api', api], ['factory-auth', auth]])('GIVEN "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256; ssl_prefer_server_ciphers off" WHEN synthesized THEN %s carries both', (_name, ingress) => {
    expect(annotation(ingress, 'ssl-ciphers')).toBe('ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256');
    expect(annotation(ingress, 'ssl-prefer-server-ciphers')).toBe('false');
  });

  test.each([['factory-api', api], ['factory-auth', auth]])('GIVEN "Use NGINX Ingress Controller with ModSecurity" WHEN synthesized THEN %s enables ModSecurity, the CRS and a transaction id', (_name, ingress) => {
    expect(annotation(ingress, 'enable-modsecurity')).toBe('true');
    expect(annotation(ingress, 'enable-owasp-core-rules')).toBe('true');
    expect(annotation(ingress, 'modsecurity-transaction-id')).toBe('$request_id');
  });

  test('GIVEN any Ingress WHEN synthesized THEN it carries no *-snippet annotation', () => {
    const ingresses = controllerSynthAll().filter((m) => m.kind === 'Ingress');
    expect(ingresses.length).toBe(3);
    for (const ingress of ingresses) {
      expect(Object.keys(ingress.metadata.annotations).filter((k) => /snippet/i.test(k))).toEqual([]);
    }
  });

  test('GIVEN any Ingress WHEN synthesized THEN every annotation is a known Low/High-risk ingress-nginx annotation', () => {
    for (const ingress of [api, auth]) {
      for (const key of Object.keys(ingress.metadata.annotations)) {
        expect(key.startsWith(PREFIX)).toBe(true);
        expect(ALLOWED_ANNOTATIONS[key.slice(PREFIX.length)]).toBeDefined();
      }
    }
  });

  test('GIVEN a burst that is not a multiple of the rate WHEN the config is parsed THEN it is refused naming edge.rateLimits.api.burst', () => {
    const parse = () => controllerConfig({ edge: { rateLimits: { api: { rate: 10, per: 'second', burst: 25 } } } });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/edge\.rateLimits\.api\.burst: burst 25 is not a whole multiple \(1 or more\) of rate 10/);
  });

  test('GIVEN a path in both apiPaths and authPaths WHEN the config is parsed THEN it is refused naming edge.authPaths', () => {
    expect(() => controllerConfig({ edge: { apiPaths: ['/api', '/api/auth'] } })).toThrow(/edge\.authPaths: path "\/api\/auth" is already routed by edge\.apiPaths/);
  });

  test('GIVEN overrides of host, class, paths and rates WHEN synthesized THEN the Ingresses follow the config', () => {
    const all = controllerSynthAll({
      host: 'app.example.org',
      edge: { ingressClassName: 'waf', apiPaths: ['/api', '/v2'], rateLimits: { api: { rate: 20, per: 'second', burst: 60 } } },
    });
    const ingress = find(all, 'Ingress', 'factory-api');
    expect(ingress.spec.ingressClassName).toBe('waf');
    expect(ingress.spec.rules[0].host).toBe('app.example.org');
    expect(ingress.spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/api', '/v2']);
    expect(annotation(ingress, 'limit-rps')).toBe('20');
    expect(annotation(ingress, 'limit-burst-multiplier')).toBe('3');
  });
});
