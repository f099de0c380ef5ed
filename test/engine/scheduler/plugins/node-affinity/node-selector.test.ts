import test from 'ava';
import {
  compileLabelMap,
  compileNodeSelector,
} from '../../../../../engine/scheduler/plugins/node-affinity/node-selector.js';
import { NodeIndex } from '../../../../../engine/scheduler/index/index.js';
import type { NodeSelector, NodeSelectorTerm } from '../../../../../engine/api/types.js';
import { makeNode } from '../../../../helpers/builders.js';

// kube-scheduler node affinity (component-helpers nodeaffinity): terms ORed, requirements in a term
// ANDed; an empty term or no terms match nothing; a term with an invalid requirement matches nothing
// (In/NotIn need values, Exists/DoesNotExist none, Gt/Lt exactly one integer); NotIn and
// DoesNotExist match nodes without the key; Gt/Lt need the node's label to parse as an integer.
// matchFields: only metadata.name, In/NotIn, exactly one value.

function index(): { idx: NodeIndex; names: string[] } {
  const idx = new NodeIndex();
  const nodes = [
    makeNode('n1').labels({ zone: 'a', gpu: 'true', cores: '16' }).build(),
    makeNode('n2').labels({ zone: 'b', cores: '4' }).build(),
    makeNode('n3').labels({ zone: 'c', cores: 'many' }).build(),
    makeNode('n4').labels({ cores: '-3' }).build(),
  ];
  for (const n of nodes) idx.addNode(n);
  return { idx, names: nodes.map((n) => n.metadata!.name!) };
}

function selected(sel: NodeSelector): string[] {
  const { idx, names } = index();
  const m = compileNodeSelector(idx, sel);
  return names.filter((n) => m(idx.slotOf(n)));
}

const one = (term: NodeSelectorTerm): NodeSelector => ({ nodeSelectorTerms: [term] });

test('compileNodeSelector: In and NotIn', (t) => {
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] })), ['n1']);
  t.deepEqual(
    selected(one({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c', 'zz'] }] })),
    ['n1', 'n3'],
  );
  // A value no node carries matches nothing with In, everything with NotIn.
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['zz'] }] })), []);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['zz'] }] })), [
    'n1',
    'n2',
    'n3',
    'n4',
  ]);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a', 'b'] }] })), [
    'n3',
    'n4',
  ]);
});

test('compileNodeSelector: Exists and DoesNotExist', (t) => {
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] })), ['n1', 'n2', 'n3']);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] })), [
    'n2',
    'n3',
    'n4',
  ]);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'nowhere', operator: 'Exists' }] })), []);
});

test('compileNodeSelector: Gt and Lt compare integers, non-integer labels never match', (t) => {
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] })), ['n1']);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['16'] }] })), [
    'n2',
    'n4',
  ]);
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['-10'] }] })), [
    'n1',
    'n2',
    'n4',
  ]);
  // Go's ParseInt accepts a leading '+'.
  t.deepEqual(selected(one({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['+5'] }] })), [
    'n2',
    'n4',
  ]);
});

test('compileNodeSelector: invalid requirements make the term match nothing', (t) => {
  const invalid: NodeSelectorTerm[] = [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] },
    { matchExpressions: [{ key: 'zone', operator: 'NotIn' }] },
    { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] },
    { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist', values: ['x'] }] },
    { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4', '8'] }] },
    { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['four'] }] },
    { matchExpressions: [{ key: 'zone', operator: 'Like', values: ['a'] }] },
    // A valid requirement does not rescue a term with an invalid one.
    {
      matchExpressions: [
        { key: 'zone', operator: 'Exists' },
        { key: 'cores', operator: 'Gt' },
      ],
    },
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] },
    { matchFields: [{ key: 'metadata.name', operator: 'Exists' }] },
    { matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n1'] }] },
  ];
  for (const term of invalid) t.deepEqual(selected(one(term)), [], JSON.stringify(term));
});

test('compileNodeSelector: matchFields on metadata.name', (t) => {
  t.deepEqual(selected(one({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] })), [
    'n3',
  ]);
  t.deepEqual(selected(one({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n3'] }] })), [
    'n1',
    'n2',
    'n4',
  ]);
});

test('compileNodeSelector: requirements ANDed within a term, terms ORed, empty matches nothing', (t) => {
  t.deepEqual(
    selected(
      one({
        matchExpressions: [{ key: 'zone', operator: 'Exists' }],
        matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }],
      }),
    ),
    ['n2', 'n3'],
  );
  t.deepEqual(
    selected({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['c'] }] },
        {}, // an empty term matches nothing and does not spoil the others
      ],
    }),
    ['n1', 'n3'],
  );
  t.deepEqual(selected({ nodeSelectorTerms: [] }), []);
  t.deepEqual(selected(one({})), []);
  t.deepEqual(selected(one({ matchExpressions: [], matchFields: [] })), []);
});

test('compileLabelMap: every key=value must be on the node; empty matches everything', (t) => {
  const { idx, names } = index();
  const sel = (labels: Record<string, string>) => {
    const m = compileLabelMap(idx, labels);
    return names.filter((n) => m(idx.slotOf(n)));
  };
  t.deepEqual(sel({}), ['n1', 'n2', 'n3', 'n4']);
  t.deepEqual(sel({ zone: 'b' }), ['n2']);
  t.deepEqual(sel({ zone: 'a', gpu: 'true' }), ['n1']);
  t.deepEqual(sel({ zone: 'b', gpu: 'true' }), []);
  t.deepEqual(sel({ zone: 'nowhere' }), []);
  t.deepEqual(sel({ 'kubernetes.io/hostname': 'n4' }), ['n4']);
  // An empty value needs the label present with that empty value.
  t.deepEqual(sel({ gpu: '' }), []);
});
