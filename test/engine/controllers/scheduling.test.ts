import test from 'ava';
import { findToleration, nodeMatches, taintsTolerated } from '../../../engine/controllers/scheduling.js';
import type { Node, NodeSelectorRequirement, PodSpec, Taint, Toleration } from '../../../engine/api/types.js';
import { makeNode } from '../../helpers/builders.js';

// ---- findToleration (v1.Toleration.ToleratesTaint) ----
// An empty effect matches every effect; an empty key with Exists matches every key; Exists ignores
// the value; Equal (or no operator) needs equal values, an absent value reading as "".

const NO_SCHED: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

test('findToleration: Equal needs key, value and (when given) effect to match', (t) => {
  const ok: Toleration = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
  t.is(findToleration([ok], NO_SCHED), ok);
  const noOperator: Toleration = { key: 'dedicated', value: 'gpu' };
  t.is(findToleration([noOperator], NO_SCHED), noOperator);
  t.is(findToleration([{ key: 'dedicated', operator: 'Equal', value: 'cpu' }], NO_SCHED), undefined);
  t.is(findToleration([{ key: 'other', operator: 'Equal', value: 'gpu' }], NO_SCHED), undefined);
  t.is(
    findToleration([{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' }], NO_SCHED),
    undefined,
  );
});

test('findToleration: an absent value equals an empty one', (t) => {
  const taint: Taint = { key: 'k', effect: 'NoSchedule' };
  const tol: Toleration = { key: 'k', operator: 'Equal', value: '' };
  t.is(findToleration([tol], taint), tol);
  t.is(findToleration([{ key: 'k', operator: 'Equal', value: 'v' }], taint), undefined);
});

test('findToleration: Exists ignores the value; without a key it tolerates every taint', (t) => {
  const exists: Toleration = { key: 'dedicated', operator: 'Exists' };
  t.is(findToleration([exists], NO_SCHED), exists);
  const everything: Toleration = { operator: 'Exists' };
  t.is(findToleration([everything], { key: 'any', value: 'x', effect: 'NoExecute' }), everything);
  const everyNoExecute: Toleration = { operator: 'Exists', effect: 'NoExecute' };
  t.is(findToleration([everyNoExecute], NO_SCHED), undefined);
});

test('findToleration: the first tolerating entry, undefined for none', (t) => {
  const a: Toleration = { key: 'x', operator: 'Exists' };
  const b: Toleration = { key: 'dedicated', operator: 'Exists' };
  const c: Toleration = { operator: 'Exists' };
  t.is(findToleration([a, b, c], NO_SCHED), b);
  t.is(findToleration([], NO_SCHED), undefined);
  t.is(findToleration(undefined, NO_SCHED), undefined);
});

// ---- taintsTolerated: every NoSchedule and NoExecute taint tolerated; PreferNoSchedule ignored ----

test('taintsTolerated', (t) => {
  const plain = makeNode('plain').build();
  const soft = makeNode('soft').taint('k', 'v', 'PreferNoSchedule').build();
  const hard = makeNode('hard').taint('k', 'v', 'NoSchedule').taint('evict', undefined, 'NoExecute').build();
  t.true(taintsTolerated(undefined, plain));
  t.true(taintsTolerated(undefined, soft));
  t.false(taintsTolerated(undefined, hard));
  t.false(taintsTolerated([{ key: 'k', operator: 'Exists' }], hard)); // NoExecute still untolerated
  t.true(
    taintsTolerated(
      [
        { key: 'k', operator: 'Exists' },
        { key: 'evict', operator: 'Exists' },
      ],
      hard,
    ),
  );
  t.true(taintsTolerated([{ operator: 'Exists' }], hard));
});

// ---- nodeMatches: spec.nodeSelector AND required node affinity (terms ORed, requirements ANDed) ----

const N1 = makeNode('n1').labels({ zone: 'a', gpu: 'true', cores: '16' }).build();
const N2 = makeNode('n2').labels({ zone: 'b', cores: '4' }).build();
const N3 = makeNode('n3').labels({ zone: 'c', cores: 'many' }).build();
const NODES: Node[] = [N1, N2, N3];

function matchingNodes(spec: PodSpec | undefined): string[] {
  return NODES.filter((n) => nodeMatches(spec, n)).map((n) => n.metadata!.name!);
}

function required(
  ...terms: { exprs?: NodeSelectorRequirement[]; fields?: NodeSelectorRequirement[] }[]
): PodSpec {
  return {
    containers: [],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: terms.map((t) => ({
            ...(t.exprs ? { matchExpressions: t.exprs } : {}),
            ...(t.fields ? { matchFields: t.fields } : {}),
          })),
        },
      },
    },
  };
}

test('nodeMatches: no constraints match every node', (t) => {
  t.deepEqual(matchingNodes(undefined), ['n1', 'n2', 'n3']);
  t.deepEqual(matchingNodes({ containers: [] }), ['n1', 'n2', 'n3']);
});

test('nodeMatches: nodeSelector needs every key=value', (t) => {
  t.deepEqual(matchingNodes({ containers: [], nodeSelector: { zone: 'a' } }), ['n1']);
  t.deepEqual(matchingNodes({ containers: [], nodeSelector: { zone: 'a', gpu: 'false' } }), []);
  // A selector for an empty value does not match a node without the label.
  t.deepEqual(matchingNodes({ containers: [], nodeSelector: { gpu: '' } }), []);
});

test('nodeMatches: match expression operators', (t) => {
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] })), [
    'n1',
    'n3',
  ]);
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'gpu', operator: 'NotIn', values: ['true'] }] })), [
    'n2',
    'n3',
  ]);
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'gpu', operator: 'Exists' }] })), ['n1']);
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'gpu', operator: 'DoesNotExist' }] })), ['n2', 'n3']);
  // Gt/Lt compare integers; a label that is not an integer never matches.
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'cores', operator: 'Gt', values: ['8'] }] })), ['n1']);
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'cores', operator: 'Lt', values: ['8'] }] })), ['n2']);
  t.deepEqual(matchingNodes(required({ exprs: [{ key: 'cores', operator: 'Gt', values: ['4'] }] })), ['n1']);
});

test('nodeMatches: requirements of a term are ANDed, terms are ORed', (t) => {
  const and = required({
    exprs: [
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'gpu', operator: 'DoesNotExist' },
    ],
  });
  t.deepEqual(matchingNodes(and), ['n2']);
  const or = required(
    { exprs: [{ key: 'zone', operator: 'In', values: ['c'] }] },
    { exprs: [{ key: 'gpu', operator: 'Exists' }] },
  );
  t.deepEqual(matchingNodes(or), ['n1', 'n3']);
});

test('nodeMatches: matchFields on metadata.name', (t) => {
  t.deepEqual(
    matchingNodes(required({ fields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] })),
    ['n2'],
  );
  t.deepEqual(
    matchingNodes(required({ fields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] })),
    ['n1', 'n3'],
  );
});

test('nodeMatches: an empty term matches nothing, and nodeSelector still applies with affinity', (t) => {
  t.deepEqual(matchingNodes(required({})), []);
  const both = {
    ...required({ exprs: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }),
    nodeSelector: { zone: 'b' },
  };
  t.deepEqual(matchingNodes(both), ['n2']);
});
