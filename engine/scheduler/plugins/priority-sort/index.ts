import type { PluginFactory, QueuedPodInfo, QueueSortPlugin } from '../../framework/index.js';

/** Plugin name. */
export const NAME = 'PrioritySort';

/** Orders the active queue by `spec.priority` descending, then by queue timestamp ascending. */
export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.pod.spec?.priority ?? 0;
    const pb = b.pod.spec?.priority ?? 0;
    return pa > pb || (pa === pb && a.timestampUs < b.timestampUs);
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['queueSort'],
  create: () => new PrioritySort(),
};
