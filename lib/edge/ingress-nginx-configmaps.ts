/**
 * The ingress-nginx controller's ConfigMaps, from rendered data (lib/edge/ingress-nginx.ts renders it):
 * the WAF rules file the controller mounts, and the controller settings with the response headers.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from '../labels';
import { MODSECURITY_RULES, SECURITY_HEADERS_CONFIGMAP, headersDigestAnnotation } from './ingress-nginx';

/** Properties of `IngressNginxWafRules`. */
export interface IngressNginxWafRulesProps {
  /** The controller's namespace (required, no default). */
  readonly namespace: string;
  /** The rules file's name, versioned by its content (required, no default). */
  readonly fileName: string;
  /** The rendered SecLang rules (required, no default). */
  readonly rules: string;
}

/**
 * The rendered WAF rules as a ConfigMap in the controller's namespace, under their versioned file name.
 * Needed whichever way the controller is installed.
 */
export class IngressNginxWafRules extends Construct {
  constructor(scope: Construct, id: string, props: IngressNginxWafRulesProps) {
    super(scope, id);
    new kplus.k8s.KubeConfigMap(this, 'rules', {
      metadata: { name: MODSECURITY_RULES.configMapName, namespace: props.namespace, labels: { [PART_OF_LABEL]: PART_OF } },
      data: { [props.fileName]: props.rules },
    });
  }
}

/** Properties of `IngressNginxSettings`. */
export interface IngressNginxSettingsProps {
  /** The controller's namespace (required, no default). */
  readonly namespace: string;
  /** The controller ConfigMap's name (required, no default). */
  readonly configMapName: string;
  /** The controller ConfigMap's data (required, no default). */
  readonly settings: Record<string, string>;
  /** The response headers every response carries (required, no default). */
  readonly headers: Record<string, string>;
}

/**
 * The controller ConfigMap and the response-headers ConfigMap, in the controller's namespace: for a
 * controller installed from static manifests (with Helm, the values file carries the same settings).
 */
export class IngressNginxSettings extends Construct {
  constructor(scope: Construct, id: string, props: IngressNginxSettingsProps) {
    super(scope, id);
    const labels = { [PART_OF_LABEL]: PART_OF };
    new kplus.k8s.KubeConfigMap(this, 'controller', {
      // A digest of the headers: their change alone would not reload the controller.
      metadata: { name: props.configMapName, namespace: props.namespace, labels, annotations: headersDigestAnnotation(props.headers) },
      data: props.settings,
    });
    new kplus.k8s.KubeConfigMap(this, 'headers', {
      metadata: { name: SECURITY_HEADERS_CONFIGMAP, namespace: props.namespace, labels },
      data: props.headers,
    });
  }
}
