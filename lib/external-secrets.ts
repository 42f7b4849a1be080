/**
 * External Secrets Operator objects (external-secrets.io/v1, its CRDs in crds/external-secrets/): a
 * SecretStore that logs in to Vault with Kubernetes auth, and ExternalSecrets that copy Vault keys into the
 * Secrets that pods which cannot log in themselves (PostgreSQL, Redis) read as files. Typed here with the
 * fields this project sets; every object is validated strictly against the CRD schema before synth writes.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from './labels';

export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** Properties of `VaultSecretStore`. */
export interface VaultSecretStoreProps {
  /** The SecretStore's name (required, no default). */
  readonly name: string;
  /** Vault's address (required, no default). */
  readonly server: string;
  /** The KV v2 mount (required, no default). */
  readonly kvMount: string;
  /** The Kubernetes auth method's path and the role the store logs in with (required, no default). */
  readonly auth: { readonly mountPath: string; readonly role: string };
  /** The ServiceAccount whose token the operator requests, and its audience (required, no default). */
  readonly serviceAccount: { readonly name: string; readonly audience: string };
}

/** A SecretStore on Vault's KV v2, with its own token-less ServiceAccount. */
export class VaultSecretStore extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: VaultSecretStoreProps) {
    super(scope, id);
    const labels = { [PART_OF_LABEL]: PART_OF };
    this.name = props.name;
    // No pod runs on it: the operator requests its tokens (audience `vault`) through the TokenRequest API.
    this.serviceAccount = new kplus.ServiceAccount(this, 'sa', { metadata: { name: props.serviceAccount.name, labels }, automountToken: false });
    new ApiObject(this, 'store', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'SecretStore',
      metadata: { name: props.name, labels },
      spec: {
        provider: {
          vault: {
            server: props.server,
            path: props.kvMount,
            version: 'v2',
            auth: {
              kubernetes: {
                mountPath: props.auth.mountPath,
                role: props.auth.role,
                serviceAccountRef: { name: props.serviceAccount.name, audiences: [props.serviceAccount.audience] },
              },
            },
          },
        },
      },
    });
  }
}

/** One Vault key copied into the Secret. */
export interface SyncedKey {
  /** The key in the Secret (or the template's variable). */
  readonly secretKey: string;
  /** The Vault secret below the mount (`factory/redis`) and its key (`password`). */
  readonly remote: { readonly key: string; readonly property: string };
}

/** Properties of `SyncedSecret`. */
export interface SyncedSecretProps {
  /** The Secret's name (the ExternalSecret has the same) (required, no default). */
  readonly name: string;
  /** The SecretStore it reads from (required, no default). */
  readonly storeName: string;
  /** How often the operator re-reads Vault (a Go duration) (required, no default). */
  readonly refreshInterval: string;
  /** The keys it copies (required, no default; at least one). */
  readonly keys: readonly SyncedKey[];
  /** Files of the Secret rendered from the keys (Go templates, `{{ .password }}`). @default the keys as they are */
  readonly template?: Record<string, string>;
}

/** An ExternalSecret that owns the Secret of the same name. */
export class SyncedSecret extends Construct {
  constructor(scope: Construct, id: string, props: SyncedSecretProps) {
    super(scope, id);
    if (props.keys.length === 0) throw new Error(`SyncedSecret ${props.name}: it must copy at least one key`);
    new ApiObject(this, 'external-secret', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name: props.name, labels: { [PART_OF_LABEL]: PART_OF } },
      spec: {
        refreshInterval: props.refreshInterval,
        secretStoreRef: { kind: 'SecretStore', name: props.storeName },
        target: {
          name: props.name,
          creationPolicy: 'Owner',
          ...(props.template ? { template: { engineVersion: 'v2', data: props.template } } : {}),
        },
        data: props.keys.map((k) => ({ secretKey: k.secretKey, remoteRef: { key: k.remote.key, property: k.remote.property } })),
      },
    });
  }
}
