import type {
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from '../api/types.js';

/**
 * The few scheduling predicates controllers evaluate themselves (the DaemonSet controller decides
 * which nodes should run a pod; the taint manager which pods a NoExecute taint evicts). They mirror
 * Kubernetes' component-helpers, not the scheduler plugins (controllers do not import the scheduler).
 */

/** Whether a toleration tolerates a taint (`v1.Toleration.ToleratesTaint`). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first toleration tolerating `taint`, if any. */
export function findToleration(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): Toleration | undefined {
  return tolerations?.find((t) => tolerates(t, taint));
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || values.length !== 1) return false;
      return r.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
  );
}

/** Whether a node satisfies a pod spec's nodeSelector and required node affinity. */
export function nodeMatches(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => termMatches(t, node))) return false;
  return true;
}

/** Whether every NoSchedule/NoExecute taint of the node is tolerated. */
export function taintsTolerated(tolerations: readonly Toleration[] | undefined, node: Node): boolean {
  return (node.spec?.taints ?? []).every(
    (t) => t.effect === 'PreferNoSchedule' || findToleration(tolerations, t) !== undefined,
  );
}
