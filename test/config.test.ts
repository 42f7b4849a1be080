/**
 * lib/config.ts: the guide's values as defaults, operator overrides through FACTORY_CONFIG, and every
 * refusal of issue 2 item 2, each naming the file and the field path.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultConfig, loadConfig, parseConfig } from '../lib/config';
import { imagePinProblem } from '../lib/k8s/image';

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-config-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let files = 0;
/** A FACTORY_CONFIG file with this text, in the suite's temporary folder (removed after the suite). */
function configFile(text: string): string {
  const file = path.join(tmp, `factory-${files++}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe('defaults are the guide values', () => {
  const c = defaultConfig();

  test('namespace is "factory" (Namespace Labels)', () => {
    expect(c.namespace).toBe('factory');
  });

  test('host is factory.example.com (Certificate Management)', () => {
    expect(c.host).toBe('factory.example.com');
  });

  test('pods run as uid 1000, gid 1000, fsGroup 1000 (Pod Security Context)', () => {
    expect(c.podSecurity).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
  });

  test('LimitRange default is 512Mi / 500m and max is 4Gi / 2 (Resource Limits)', () => {
    expect(c.limitRange.default).toEqual({ memory: '512Mi', cpu: '500m' });
    expect(c.limitRange.max).toEqual({ memory: '4Gi', cpu: '2' });
  });

  test('component ports are api 8000, worker 8001, dashboard 9001, redis 6379, postgresql 5432 (network flow diagram)', () => {
    const ports = Object.fromEntries(Object.entries(c.components).map(([k, v]) => [k, v.port]));
    expect(ports).toEqual({ api: 8000, worker: 8001, dashboard: 9001, redis: 6379, postgresql: 5432 });
  });

  test('every default image is pinned to a version (Dockerfile: "Use specific version, not latest")', () => {
    for (const component of Object.values(c.components)) expect(imagePinProblem(component.image)).toBeUndefined();
  });
});

describe('FACTORY_CONFIG overrides', () => {
  test('GIVEN a partial file WHEN loaded THEN its values replace the defaults and the rest stay', () => {
    const file = configFile('host: agents.example.org\ncomponents:\n  api:\n    replicas: 3\n');
    const c = loadConfig({ FACTORY_CONFIG: file });
    expect(c.host).toBe('agents.example.org');
    expect(c.components.api.replicas).toBe(3);
    expect(c.components.api.port).toBe(8000);
    expect(c.namespace).toBe('factory');
  });

  test('GIVEN no FACTORY_CONFIG WHEN loaded THEN the guide defaults apply', () => {
    expect(loadConfig({})).toEqual(defaultConfig());
  });
});

describe('images (the refusals of each field, unreadable files included: test/validate/bad-input.test.ts)', () => {
  test('an image pinned by digest is accepted', () => {
    const image = `registry.example.com/factory@sha256:${'a'.repeat(64)}`;
    expect(parseConfig({ components: { api: { image } } }).components.api.image).toBe(image);
  });
});

describe('cross-field rules (lib/config-rules.ts): every table runs in parseConfig and names the FACTORY_CONFIG file', () => {
  const broken: [string, string, RegExp][] = [
    ['resources', 'components:\n  api:\n    resources:\n      requests: {cpu: "2", memory: 256Mi}\n', /components\.api\.resources\.requests\.cpu: request "2" is above the limit "1"/],
    ['ports', 'components:\n  dashboard:\n    port: 8000\n', /components\.dashboard\.port: port 8000 is already used by api/],
    ['vault', 'vault:\n  location: {cidr: 203.0.113.10/32}\n', /vault\.address: is required when Vault is outside the cluster/],
    ['ingresses', 'edge:\n  authPaths: [/api]\n', /edge\.authPaths: path "\/api" is already routed by edge\.apiPaths/],
    ['ingress-nginx', 'edge:\n  target: ingress-nginx\n  rateLimits:\n    auth: {rate: 5, per: minute, burst: 7}\n', /edge\.rateLimits\.auth\.burst: burst 7 is not a whole multiple/],
    ['monitoring', 'monitoring:\n  alerts:\n    anomalySpike: {window: 1h, baselineWindow: 30m}\n', /monitoring\.alerts\.anomalySpike\.baselineWindow: "30m" must be longer than window "1h"/],
  ];
  test.each(broken)('GIVEN a config breaking a %s rule WHEN loaded THEN it is refused with the file, the field path and the bad value', (_table, yaml, message) => {
    const file = configFile(yaml);
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(message);
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(`invalid configuration in FACTORY_CONFIG=${file}:`);
  });

  test('GIVEN memory in decimal units (512M) WHEN loaded THEN it is accepted like any Kubernetes quantity', () => {
    const c = loadConfig({ FACTORY_CONFIG: configFile('components:\n  dashboard:\n    resources:\n      limits: {cpu: 500m, memory: 512M}\n') });
    expect(c.components.dashboard.resources.limits.memory).toBe('512M');
  });
});

describe('field refusals quote the bad value', () => {
  test('GIVEN a namespace that is not a DNS label WHEN loaded THEN the message names the field and the value it refused', () => {
    const file = configFile('namespace: Factory_NS\n');
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(/namespace: must be an RFC 1123 DNS label .* \(got "Factory_NS"\)/);
  });

  test('GIVEN a port written as a string WHEN loaded THEN the message shows the string', () => {
    const file = configFile('components:\n  api:\n    port: "8000"\n');
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(/components\.api\.port: .*expected number.* \(got "8000"\)/);
  });

  test('GIVEN a message that already quotes the value (an image on latest) THEN it is not quoted twice', () => {
    const file = configFile('components:\n  api:\n    image: ghcr.io/x/y:latest\n');
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(/components\.api\.image: image "ghcr\.io\/x\/y:latest" is tagged "latest"; pin a version tag or a digest$/m);
  });
});
