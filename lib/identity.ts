/**
 * Identities: one ServiceAccount per component (`factory-api` is the name Vault's Kubernetes auth role
 * binds to), and the namespace's `default` ServiceAccount with no token, so that no pod runs on it
 * with API credentials. No Role or RoleBinding is emitted: nobody is granted `pods/exec`.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { WorkloadName } from './component-names';
import { componentObjectName, selectorLabels } from './labels';

/** Properties of a `ComponentIdentity`. */
export interface ComponentIdentityProps {
  /** The component (or the WAF tier) the ServiceAccount belongs to. */
  readonly name: WorkloadName;
}

/** The ServiceAccount of one component, with no automounted token. */
export class ComponentIdentity extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: ComponentIdentityProps) {
    super(scope, id);
    this.serviceAccount = new kplus.ServiceAccount(this, 'sa', {
      metadata: { name: componentObjectName(props.name), labels: selectorLabels(props.name) },
      automountToken: false,
    });
  }
}

/** The namespace's `default` ServiceAccount, emitted so that its token is never automounted. */
export class DefaultServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    new kplus.ServiceAccount(this, 'sa', { metadata: { name: 'default', namespace: props.namespace }, automountToken: false });
  }
}
