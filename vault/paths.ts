/**
 * The platform's Vault paths (guide: "Required Vault Paths" and the `vault kv put` steps of "Initial
 * Setup"), as data: every construct, variable, policy path, test and README row is rendered from here.
 *
 * A key's value comes either from the config (an address the cluster already knows: not a secret) or
 * from an ephemeral Terraform variable supplied at apply time (a credential: never in code, JSON, plan
 * or state).
 */
import type { FactoryConfig } from '../lib/config';
import { PLATFORM_DATABASE, componentObjectName } from '../lib/labels';

/** Where the value of one key comes from. */
export type KeySource =
  /** Supplied at apply time through the ephemeral variable `<path>_<key>` (`TF_VAR_…`). */
  | 'input'
  /** Rendered from the config: a value that is not secret (a Service name, a port). */
  | ((c: FactoryConfig) => string);

/** The Secrets the External Secrets Operator writes from Vault, for the pods that cannot log in themselves. */
export type SyncedSecret = 'factory-postgresql' | 'factory-redis';

/** One key of a secret path. */
export interface SecretKey {
  /** The key, as the application reads it (`vault kv get -field=<key>`). */
  readonly key: string;
  readonly source: KeySource;
  /** What the value is (variable description, README). */
  readonly description: string;
  /** The Kubernetes Secret the operator syncs this key into (as key `secretKey`). @default not synced */
  readonly syncedTo?: { readonly secret: SyncedSecret; readonly secretKey: string };
}

/**
 * Who reads a path from Vault: the api (the guide's role and policy, the whole prefix), the worker (a role
 * and a policy of its own), and the operator's sync (a role and a policy of its own, for the synced keys).
 */
export type VaultReader = 'api' | 'worker' | 'sync';

/** One secret path under `<kvMount>/<secretsPrefix>/`. */
export interface SecretPath {
  /** The path below the prefix (`database` → `secret/factory/database`). */
  readonly name: string;
  /** What it holds (guide: the comment of "Required Vault Paths"). */
  readonly holds: string;
  readonly keys: readonly SecretKey[];
  /** Who reads it: each reader's policy grants `read` on exactly the paths listing it. */
  readonly readers: readonly VaultReader[];
}

/** The four paths of the guide, in its order, each with its documented keys. */
export const SECRET_PATHS: readonly SecretPath[] = [
  {
    name: 'database', holds: 'Database credentials',
    keys: [
      { key: 'host', source: () => componentObjectName('postgresql'), description: 'PostgreSQL Service name' },
      { key: 'port', source: (c) => String(c.components.postgresql.port), description: 'PostgreSQL port' },
      { key: 'user', source: () => PLATFORM_DATABASE.user, description: 'PostgreSQL user of the platform (POSTGRES_USER of the StatefulSet)' },
      {
        key: 'password', source: 'input', description: 'PostgreSQL password of that user',
        syncedTo: { secret: 'factory-postgresql', secretKey: 'password' },
      },
    ],
    // The api and the worker use the database; the sync hands the password to PostgreSQL itself.
    readers: ['api', 'worker', 'sync'],
  },
  {
    name: 'api-keys', holds: 'API keys (Anthropic, etc.)',
    keys: [{ key: 'anthropic_key', source: 'input', description: 'Anthropic API key' }],
    // Both call the model provider (the HTTPS egress flow of api and worker).
    readers: ['api', 'worker'],
  },
  {
    name: 'auth', holds: 'JWT secrets',
    keys: [{ key: 'jwt_secret', source: 'input', description: 'Secret signing the platform\'s JWTs' }],
    // Only the api signs and checks the platform's JWTs.
    readers: ['api'],
  },
  {
    name: 'redis', holds: 'Redis credentials',
    keys: [
      { key: 'host', source: () => componentObjectName('redis'), description: 'Redis Service name' },
      { key: 'port', source: (c) => String(c.components.redis.port), description: 'Redis port' },
      {
        key: 'password', source: 'input', description: 'Redis password (requirepass)',
        syncedTo: { secret: 'factory-redis', secretKey: 'password' },
      },
    ],
    readers: ['api', 'worker', 'sync'],
  },
];

/** The paths a reader reads, in table order. */
export function pathsReadBy(reader: VaultReader): SecretPath[] {
  return SECRET_PATHS.filter((p) => p.readers.includes(reader));
}

/** Every key the operator syncs into a Kubernetes Secret, with its path. */
export function syncedKeys(): { path: SecretPath; key: SecretKey & Required<Pick<SecretKey, 'syncedTo'>> }[] {
  return SECRET_PATHS.flatMap((path) => path.keys.flatMap((key) => (key.syncedTo ? [{ path, key: key as SecretKey & Required<Pick<SecretKey, 'syncedTo'>> }] : [])));
}

/** The Terraform variable name of a key supplied at apply time (`database_password`, `api_keys_anthropic_key`). */
export function inputVariableName(path: SecretPath, key: SecretKey): string {
  return `${path.name}_${key.key}`.replace(/-/g, '_');
}

/** The secret's name under the mount (`factory/database`). */
export function secretName(c: FactoryConfig, path: SecretPath): string {
  return `${c.vault.secretsPrefix}/${path.name}`;
}
