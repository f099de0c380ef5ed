import { ForbiddenError } from '../../api/errors.js';
import type { Store, Verb } from '../../api/store.js';
import { objectKey, type KObject, type Pod, type PriorityClass } from '../../api/types.js';

/** The two system classes every cluster has, whether or not they are stored. */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};

/**
 * The Priority admission plugin (mutating, pod create): `spec.priorityClassName` resolves to
 * `spec.priority` and `spec.preemptionPolicy` (default PreemptLowerPriority); an unknown class is
 * refused (`no PriorityClass with name x was found`). A pod naming no class gets the `globalDefault`
 * class (the lowest-valued one if several are marked). A pod with neither a class nor a default keeps
 * what it has — Kubernetes would set priority 0; kreplay keeps a traced `spec.priority` as it came.
 */
export function installPriorityAdmission(store: Store): void {
  store.admission.mutating.push((op: Verb, obj: KObject) => {
    if (op !== 'create' || obj.kind !== 'Pod') return;
    const pod = obj as Pod;
    let name = pod.spec?.priorityClassName;
    let value: number | undefined;
    let policy: string | undefined;
    if (name) {
      const pc = store.get<PriorityClass>('PriorityClass', name);
      if (pc) {
        value = pc.value;
        policy = pc.preemptionPolicy;
      } else if (name in SYSTEM_PRIORITY_CLASSES) value = SYSTEM_PRIORITY_CLASSES[name]!;
      else throw new ForbiddenError('Pod', objectKey(obj), `no PriorityClass with name ${name} was found`);
    } else {
      let def: PriorityClass | undefined;
      for (const pc of store.values<PriorityClass>('PriorityClass')) {
        if (pc.globalDefault && (def === undefined || pc.value < def.value)) def = pc;
      }
      if (!def) return;
      name = def.metadata!.name!;
      value = def.value;
      policy = def.preemptionPolicy;
    }
    pod.spec = {
      ...pod.spec!,
      priorityClassName: name,
      priority: value,
      preemptionPolicy: policy ?? 'PreemptLowerPriority',
    };
  });
}
