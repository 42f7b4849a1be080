/** Guide "Required Vault Paths", "Initial Setup" (vault kv put) and "Regular Security Tasks" (rotation). */
import { Testing } from 'cdktf';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { SECRET_PATHS } from '../../vault/paths';
import { synthAll } from '../support';
import { synthVault, vaultJson } from './support';

Testing.setupJest();

/** The guide's paths and keys, written out here as the independent expectation. */
const GUIDE_PATHS: Record<string, string[]> = {
  'factory/database': ['host', 'port', 'user', 'password'],
  'factory/api-keys': ['anthropic_key'],
  'factory/auth': ['jwt_secret'],
  'factory/redis': ['host', 'port', 'password'],
};

function secretsByName(json: any): Record<string, any> {
  return Object.fromEntries(Object.values<any>(json.resource.vault_kv_secret_v2).map((s) => [s.name, s]));
}

/** The keys of a `${jsonencode({"k" = v, ...})}` expression. */
function encodedKeys(expr: string): string[] {
  return [...expr.matchAll(/"([\w-]+)"\s*=/g)].map((m) => m[1]);
}

test('KV v2 engine: GIVEN the guide config WHEN synthesized THEN a kv mount version 2 sits at "secret"', () => {
  expect(synthVault()).toHaveResourceWithProperties(Mount, { path: 'secret', type: 'kv', options: { version: '2' } });
});

test('Required Vault Paths: GIVEN the guide config WHEN synthesized THEN exactly the four paths exist under mount "secret"', () => {
  const secrets = Object.values<any>(vaultJson().resource.vault_kv_secret_v2);
  expect(secrets.map((s) => s.name).sort()).toEqual(Object.keys(GUIDE_PATHS).sort());
  for (const s of secrets) expect(s.mount).toBe('secret');
});

test.each(Object.entries(GUIDE_PATHS))('Required Vault Paths: %s holds exactly its documented keys %j', (name, keys) => {
  const s = secretsByName(vaultJson())[name];
  expect(encodedKeys(s.data_json_wo)).toEqual(keys);
});

test('Secret values: GIVEN every path WHEN synthesized THEN values go only through the write-only data_json_wo, never data_json', () => {
  for (const s of Object.values<any>(vaultJson().resource.vault_kv_secret_v2)) {
    expect(s.data_json).toBeUndefined();
    expect(s.data_json_wo).toMatch(/^\$\{jsonencode\(\{.*\}\)\}$/);
    expect(s.data_json_wo_version).toBe('${var.secrets_version}');
  }
});

test('Secret values: GIVEN a credential key WHEN synthesized THEN it is fed by an ephemeral, sensitive variable with no default', () => {
  const json = vaultJson();
  const credentials: [string, string][] = [
    ['factory/database', 'password'], ['factory/api-keys', 'anthropic_key'],
    ['factory/auth', 'jwt_secret'], ['factory/redis', 'password'],
  ];
  for (const [name, key] of credentials) {
    const expr = secretsByName(json)[name].data_json_wo;
    const m = new RegExp(`"${key}" = var\\.(\\w+)`).exec(expr);
    expect(m).not.toBeNull();
    const variable = json.variable[m![1]];
    expect(variable).toMatchObject({ ephemeral: true, sensitive: true, nullable: false, type: 'string' });
    expect(variable.default).toBeUndefined();
  }
});

test('Required Vault Paths: GIVEN the database and redis paths WHEN synthesized THEN host and port are the Services and ports of the config', () => {
  const byName = secretsByName(vaultJson({ components: { postgresql: { port: 6543 } } }));
  expect(byName['factory/database'].data_json_wo).toContain('"host" = "factory-postgresql", "port" = "6543"');
  expect(byName['factory/redis'].data_json_wo).toContain('"host" = "factory-redis", "port" = "6379"');
});

test('Regular Security Tasks: GIVEN every path WHEN synthesized THEN its custom metadata records the owner and the monthly rotation', () => {
  for (const name of Object.keys(GUIDE_PATHS)) {
    expect(synthVault()).toHaveResourceWithProperties(KvSecretV2, {
      name, custom_metadata: { data: expect.objectContaining({ owner: 'platform-security', rotation: 'monthly' }) },
    });
  }
});

test('Regular Security Tasks: GIVEN another owner in the config WHEN synthesized THEN every path records it', () => {
  for (const s of Object.values<any>(vaultJson({ vault: { secretsOwner: 'data-team' } }).resource.vault_kv_secret_v2)) {
    expect(s.custom_metadata.data.owner).toBe('data-team');
  }
});

test('Rotation: GIVEN the secrets_version variable WHEN synthesized THEN it defaults to 1 and refuses fractions and 0', () => {
  const v = vaultJson().variable.secrets_version;
  expect(v.default).toBe(1);
  expect(v.validation[0].condition).toBe('${var.secrets_version >= 1 && floor(var.secrets_version) == var.secrets_version}');
});

test('Path data: GIVEN the path table WHEN read THEN it is the guide\'s four paths in the guide\'s order', () => {
  expect(SECRET_PATHS.map((p) => `factory/${p.name}`)).toEqual(Object.keys(GUIDE_PATHS));
});

test('Database credentials: GIVEN the guide config WHEN synthesized THEN the Vault user is the user the postgresql StatefulSet creates', () => {
  const expr = secretsByName(vaultJson())['factory/database'].data_json_wo;
  const statefulSet = synthAll().find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'factory-postgresql');
  const postgresUser = statefulSet.spec.template.spec.containers[0].env.find((e: any) => e.name === 'POSTGRES_USER').value;
  expect(postgresUser).toBe('factory');
  expect(expr).toContain(`"user" = "${postgresUser}"`);
});
