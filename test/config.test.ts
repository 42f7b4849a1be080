/**
 * lib/config.ts: the guide's values as defaults, operator overrides through FACTORY_CONFIG, and every
 * refusal of issue 2 item 2, each naming the file and the field path.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../lib/config';
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

describe('refused configurations name the file and the field', () => {
  const refusals: { name: string; yaml: string; message: RegExp }[] = [
    { name: 'unknown key', yaml: 'namespaces: factory\n', message: /\(root\): unknown key\(s\) "namespaces"/ },
    { name: 'unknown nested key', yaml: 'components:\n  api:\n    prot: 8000\n', message: /components\.api: unknown key\(s\) "prot"/ },
    { name: 'wrong type', yaml: 'components:\n  api:\n    replicas: "two"\n', message: /components\.api\.replicas: .*number/ },
    { name: 'image tagged latest', yaml: 'components:\n  api:\n    image: ghcr.io/x/factory:latest\n', message: /components\.api\.image: image "ghcr\.io\/x\/factory:latest" is tagged "latest"/ },
    { name: 'untagged image', yaml: 'components:\n  redis:\n    image: redis\n', message: /components\.redis\.image: image "redis" is untagged/ },
    { name: 'limit above the LimitRange max memory', yaml: 'components:\n  worker:\n    resources:\n      limits: { cpu: "1", memory: 8Gi }\n', message: /components\.worker\.resources\.limits\.memory: "8Gi" is above the LimitRange max memory "4Gi"/ },
    { name: 'limit above the LimitRange max cpu', yaml: 'components:\n  api:\n    resources:\n      limits: { cpu: "3", memory: 1Gi }\n', message: /components\.api\.resources\.limits\.cpu: "3" is above the LimitRange max cpu "2"/ },
    { name: 'invalid DNS name for the host', yaml: 'host: Factory_Example.com\n', message: /host: must be an RFC 1123 DNS name/ },
    { name: 'invalid DNS label for the namespace', yaml: 'namespace: -factory\n', message: /namespace: must be an RFC 1123 DNS label/ },
    { name: 'port out of range', yaml: 'components:\n  api:\n    port: 70000\n', message: /components\.api\.port: must be a port from 1 to 65535/ },
    { name: 'port zero', yaml: 'components:\n  redis:\n    port: 0\n', message: /components\.redis\.port: must be a port from 1 to 65535/ },
    { name: 'two components on one port', yaml: 'components:\n  worker:\n    port: 8000\n', message: /components\.worker\.port: port 8000 is already used by api/ },
    { name: 'root uid', yaml: 'podSecurity:\n  runAsUser: 0\n', message: /podSecurity\.runAsUser: must be a non-root id/ },
    { name: 'YAML syntax error', yaml: 'components:\n  api: [unclosed\n', message: /YAML syntax error/ },
  ];

  test.each(refusals)('$name is refused', ({ yaml, message }) => {
    const file = configFile(yaml);
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(ConfigError);
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(message);
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(`FACTORY_CONFIG=${file}`);
  });

  test('a missing file is refused with its name', () => {
    expect(() => loadConfig({ FACTORY_CONFIG: '/nonexistent/factory.yaml' }))
      .toThrow(/FACTORY_CONFIG=\/nonexistent\/factory\.yaml.*\n.*cannot read the file \(ENOENT\)/);
  });

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
    ['ingress-nginx', 'edge:\n  rateLimits:\n    auth: {rate: 5, per: minute, burst: 7}\n', /edge\.rateLimits\.auth\.burst: burst 7 is not a whole multiple/],
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
