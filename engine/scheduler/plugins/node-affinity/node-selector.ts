import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from '../../../api/types.js';
import type { NodeIndex } from '../../index/index.js';

/**
 * Node selector terms compiled against the node index for one scheduling cycle (the index does not
 * change within a cycle): label lookups become value-id comparisons on the label columns.
 */

/** A compiled predicate on a node slot. */
export type SlotMatcher = (slot: number) => boolean;

const NEVER: SlotMatcher = () => false;
const ALWAYS: SlotMatcher = () => true;

/** Compiles one requirement on node labels; undefined when it is invalid (kube-scheduler drops the term). */
function compileLabelRequirement(idx: NodeIndex, r: NodeSelectorRequirement): SlotMatcher | undefined {
  const values = r.values ?? [];
  const col = idx.labelValues(idx.labelKeyId(r.key));
  switch (r.operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const ids = values.map((v) => idx.labelValuesTable.get(v)).filter((v) => v >= 0);
      const one = ids.length === 1 ? ids[0]! : -2;
      const set = new Set(ids);
      const has = ids.length === 1 ? (v: number) => v === one : (v: number) => set.has(v);
      return r.operator === 'In'
        ? (s) => {
            const v = col[s]!;
            return v >= 0 && has(v);
          }
        : (s) => {
            const v = col[s]!;
            return v < 0 || !has(v);
          };
    }
    case 'Exists':
      if (values.length !== 0) return undefined;
      return (s) => col[s]! >= 0;
    case 'DoesNotExist':
      if (values.length !== 0) return undefined;
      return (s) => col[s]! < 0;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !/^[+-]?\d+$/.test(values[0]!)) return undefined;
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (s) => {
        const v = col[s]!;
        if (v < 0) return false;
        const n = idx.labelValueInt(v);
        // A label value that is not an integer never matches (parse error on the node side).
        if (Number.isNaN(n)) return false;
        return gt ? n > bound : n < bound;
      };
    }
    default:
      return undefined;
  }
}

/** Compiles a matchFields requirement: only `metadata.name` with In/NotIn and exactly one value is valid. */
function compileFieldRequirement(idx: NodeIndex, r: NodeSelectorRequirement): SlotMatcher | undefined {
  const values = r.values ?? [];
  if (r.key !== 'metadata.name' || values.length !== 1) return undefined;
  const name = values[0]!;
  if (r.operator === 'In') return (s) => idx.names[s] === name;
  if (r.operator === 'NotIn') return (s) => idx.names[s] !== name;
  return undefined;
}

/**
 * Compiles one term (requirements ANDed). An empty term matches nothing; an invalid term matches
 * nothing (kube-scheduler ignores parse errors of required terms for backwards compatibility).
 */
export function compileTerm(idx: NodeIndex, term: NodeSelectorTerm): SlotMatcher {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return NEVER;
  const parts: SlotMatcher[] = [];
  for (const r of exprs) {
    const m = compileLabelRequirement(idx, r);
    if (!m) return NEVER;
    parts.push(m);
  }
  for (const r of fields) {
    const m = compileFieldRequirement(idx, r);
    if (!m) return NEVER;
    parts.push(m);
  }
  if (parts.length === 1) return parts[0]!;
  return (s) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(s)) return false;
    return true;
  };
}

/** Compiles a NodeSelector (terms ORed). No terms: matches nothing. */
export function compileNodeSelector(idx: NodeIndex, sel: NodeSelector): SlotMatcher {
  const terms = sel.nodeSelectorTerms.map((t) => compileTerm(idx, t));
  if (terms.length === 0) return NEVER;
  if (terms.length === 1) return terms[0]!;
  return (s) => {
    for (let i = 0; i < terms.length; i++) if (terms[i]!(s)) return true;
    return false;
  };
}

/** Compiles `spec.nodeSelector` (every key=value must be present). Empty: matches everything. */
export function compileLabelMap(idx: NodeIndex, labels: Record<string, string>): SlotMatcher {
  const checks = Object.entries(labels).map(([k, v]) => {
    const col = idx.labelValues(idx.labelKeyId(k));
    const id = idx.labelValuesTable.get(v);
    return (s: number) => id >= 0 && col[s] === id;
  });
  if (checks.length === 0) return ALWAYS;
  return (s) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(s)) return false;
    return true;
  };
}
