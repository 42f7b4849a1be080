/** The names of the platform's components, in a stable order (output follows this order). */
export const COMPONENT_NAMES = ['api', 'worker', 'dashboard', 'redis', 'postgresql'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];
