/**
 * Kubernetes label keys and values, as the API server validates them (apimachinery `IsQualifiedName`,
 * `IsValidLabelValue`): a key is an optional DNS-subdomain prefix and "/", then a name of at most 63
 * characters (alphanumerics, "-", "_", "." inside); a value is empty or such a name.
 */
const NAME_RE = /^(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN_RE = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return NAME_RE.test(key);
  return SUBDOMAIN_RE.test(key.slice(0, slash)) && NAME_RE.test(key.slice(slash + 1));
}

export function isLabelValue(value: string): boolean {
  return value === '' || NAME_RE.test(value);
}
