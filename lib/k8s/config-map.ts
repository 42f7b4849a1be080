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
  let bytes = 0; // of `current` as JSON; 0 while it is empty
  for (const [name, content] of files) {
    const alone = 2 + entryBytes(name, content); // {"name":"content"}
    if (alone > budget) {
      throw new Error(`ConfigMap data: file "${name}" weighs ${alone} bytes as JSON, over the ${budget}-byte budget of one ConfigMap`);
    }
    if (bytes > 0 && bytes + alone - 1 > budget) { // one more entry: a comma, and the braces already counted
      out.push(current);
      current = {};
      bytes = 0;
    }
    bytes = bytes === 0 ? alone : bytes + alone - 1;
    current[name] = content;
  }
  if (bytes > 0) out.push(current);
  return out;
}
