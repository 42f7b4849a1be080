/**
 * factory-security as a construct library: the guide's building blocks for another cdk8s app, each
 * taking only the values it uses. Build them inside a `FactoryChart` and every workload of the chart is
 * hardened on its way out (lib/hardening.ts); `validateManifests` judges what the app wrote.
 */
export { FactoryApp, FactoryChart, type FactoryChartProps } from './chart';
export { CONTAINER_SECURITY_CONTEXT, type PodIdentity, hardeningPatches, podSecurityContext } from './hardening';
export { HardenedNamespace, type HardenedNamespaceProps, POD_SECURITY_LEVEL, POD_SECURITY_VERSIONS, type PodSecurityVersions, podSecurityLabels } from './namespace';
export { ComponentIdentity, type ComponentIdentityProps, DefaultServiceAccount } from './identity';
export { type Quantities, type QuotaInputs, ResourceLimits, type ResourceLimitsProps, quotaFor } from './limits';
export { type Endpoint, type Flow, type FlowPort, QUARANTINE_LABEL, component, tcp, udp } from './network/flows';
export { DEFAULT_DENY_POLICY, FlowPolicies, type FlowPoliciesProps, policyName } from './network/policies';
export { Component, type ComponentPorts, type ComponentProps, type Spread } from './workloads';
export { AcmeSolver, TLS_CERTIFICATE, TlsCertificates, type TlsCertificatesProps } from './edge/certificates';
export { WAF_TIER_CONFIG_DIGEST_ANNOTATION, WafTier, type WafTierProps } from './edge/waf-tier';
export { WAF_TIER_PATHS, WAF_TIER_PORTS, wafTierFiles } from './waf/waf-tier';
export { CRS_RELEASE, crsRuleFiles, crsSetupFile } from './waf/crs-release';
export { CONFIG_MAP_APPLY_BUDGET, packConfigMapData } from './k8s/config-map';
export { FactoryIngresses, type FactoryIngressesProps, type IngressRoute } from './edge/ingress';
export { IngressNginxSettings, type IngressNginxSettingsProps, IngressNginxWafRules, type IngressNginxWafRulesProps } from './edge/ingress-nginx-configmaps';
export { AlertRules, type AlertRulesProps } from './monitoring/rule';
export { ControllerServiceMonitor, type ControllerServiceMonitorProps } from './monitoring/service-monitor';
export { type VaultClientSettings, VaultTokenReviewer, type VaultTokenReviewerProps, addVaultClient } from './vault-auth';
export { type ManifestDoc, type Violation, formatViolation, parseManifests, validateManifests } from './validate';
