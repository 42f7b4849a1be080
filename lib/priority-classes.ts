/**
 * The platform's PriorityClasses (cluster-scoped): under node pressure the scheduler preempts, and the
 * kubelet evicts, pods of lower priority first; none is the cluster default.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from './labels';

/** Properties of `PriorityClasses`. */
export interface PriorityClassesProps {
  /** Name → value of each class (required, no default). */
  readonly classes: Readonly<Record<string, number>>;
}

/** One PriorityClass per entry, never the global default, preempting lower classes. */
export class PriorityClasses extends Construct {
  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    for (const [name, value] of Object.entries(props.classes)) {
      if (!Number.isInteger(value) || value < 0 || value > 1000000000) throw new Error(`PriorityClass ${name}: value must be an integer from 0 to 1000000000 (got ${value})`);
      new kplus.k8s.KubePriorityClass(this, name, {
        metadata: { name, labels: { [PART_OF_LABEL]: PART_OF } },
        value,
        globalDefault: false,
        description: `Factory de Agentes pods (${name}): higher values are evicted last.`,
      });
    }
  }
}
