import type { Pod } from '../../../api/types.js';
import {
  SUCCESS,
  unresolvable,
  type PluginFactory,
  type PreEnqueuePlugin,
  type Status,
} from '../../framework/index.js';

/** Plugin name. */
export const NAME = 'SchedulingGates';

/** Keeps a pod out of the active queue while `spec.schedulingGates` is non-empty. */
export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = NAME;
  preEnqueue(pod: Pod): Status {
    const gates = pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return SUCCESS;
    // Same wording as kube-scheduler: Go's %v of a string slice.
    return unresolvable(NAME, `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['preEnqueue'],
  create: () => new SchedulingGates(),
};
