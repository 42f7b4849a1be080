/**
 * The stable labels every object of a component carries and every selector (workload, Service,
 * NetworkPolicy) matches on. Never cdk8s-generated address labels: these survive refactors of the code.
 */
import type { WorkloadName } from './component-names';

/** The label that names the component: the one key selectors match on. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** The label that groups all of the platform's objects. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'factory';

/** The labels a component's pods carry, and its selectors match. */
export function selectorLabels(component: WorkloadName): Record<string, string> {
  return { [NAME_LABEL]: component, [PART_OF_LABEL]: PART_OF };
}

/** The object name of everything that belongs to one component (`factory-api`, …). */
export function componentObjectName(component: WorkloadName): string {
  return `${PART_OF}-${component}`;
}

/**
 * The platform's PostgreSQL user and database (guide: `FACTORY_DATABASE_USER=factory`): the StatefulSet
 * creates them and Vault's `secret/factory/database` hands the same user to the platform.
 */
export const PLATFORM_DATABASE = { user: 'factory', name: 'factory' } as const;
