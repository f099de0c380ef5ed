import type { Pod } from '../../api/types.js';
import { podHostPorts, type NodeIndex } from '../index/index.js';
import type { PodInfo } from './types.js';

/** Builds the per-attempt {@link PodInfo} of a pod (requests compiled against the index's resource ids). */
export function makePodInfo(index: NodeIndex, pod: Pod): PodInfo {
  const namespace = pod.metadata?.namespace ?? 'default';
  return {
    pod,
    key: `${namespace}/${pod.metadata?.name ?? ''}`,
    namespace,
    priority: pod.spec?.priority ?? 0,
    resources: index.podResources(pod),
    ports: podHostPorts(pod),
  };
}
