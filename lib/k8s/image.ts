/** Container image references: whether one is pinned to a version. */

/**
 * A container image pinned to a version: `repo:tag` with a tag other than `latest`, or `repo@sha256:…`.
 * Returns the reason it is not pinned, or undefined.
 */
export function imagePinProblem(image: string): string | undefined {
  if (/\s/.test(image) || image === '') return 'is not an image reference';
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'is untagged (an untagged image means "latest"); pin a version tag or a digest';
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest') return 'is tagged "latest"; pin a version tag or a digest';
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return `has an invalid tag "${tag}"`;
  return undefined;
}
