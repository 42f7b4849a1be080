/** ConfigMaps that carry many files: how much one can hold when it is installed with `kubectl apply`. */

/**
 * The most a ConfigMap's `data` may weigh, as JSON, for `kubectl apply` (client-side): kubectl stores the
 * whole object as JSON in its `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API
 * server refuses an object whose annotations exceed 256 KiB (262144 bytes); the rest of the budget is left
 * for the metadata. (An object itself may hold 1 MiB: the annotation is the tighter limit.)
 */
export const CONFIG_MAP_APPLY_BUDGET = 240_000;

/** The bytes a `data` map weighs in the last-applied annotation (its JSON, UTF-8). */
export function appliedDataBytes(data: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/** The bytes one `"name":"content"` entry adds to a `data` map's JSON. */
function entryBytes(name: string, content: string): number {
  return Buffer.byteLength(JSON.stringify(name), 'utf8') + 1 + Buffer.byteLength(JSON.stringify(content), 'utf8');
}

/**
 * Files split into as few `data` maps as the budget allows, each a run of consecutive files in the given order
 * (the first map holds the first files). Throws when one file alone exceeds the budget, naming it.
 */
export function packConfigMapData(files: ReadonlyMap<string, string>, budget = CONFIG_MAP_APPLY_BUDGET): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let bytes = 2; // {}
  for (const [name, content] of files) {
    const entry = entryBytes(name, content);
    if (2 + entry > budget) {
      throw new Error(`ConfigMap data: file "${name}" weighs ${2 + entry} bytes as JSON, over the ${budget}-byte budget of one ConfigMap`);
    }
    const empty = Object.keys(current).length === 0;
    if (!empty && bytes + 1 + entry > budget) {
      out.push(current);
      current = {};
      bytes = 2;
    }
    bytes += (Object.keys(current).length === 0 ? 0 : 1) + entry;
    current[name] = content;
  }
  if (Object.keys(current).length > 0) out.push(current);
  return out;
}
