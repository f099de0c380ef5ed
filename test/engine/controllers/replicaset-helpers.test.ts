import test from 'ava';
import { podsToDelete } from '../../../engine/controllers/replicaset.js';
import type { Pod } from '../../../engine/api/types.js';
import { makePod } from '../../helpers/builders.js';

// Scale-down order (controller.ActivePods, as simplified here): unscheduled before scheduled, not
// ready (not Running) before ready, then the most recently created first. Input is in creation order.

function pod(name: string, nodeName?: string, phase?: string): Pod {
  const b = makePod(name).container();
  if (nodeName) b.node(nodeName);
  const built = b.build();
  return phase ? { ...built, status: { phase } } : built;
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!);

test('podsToDelete: unscheduled pods go first, newest first', (t) => {
  const pods = [pod('old-pending'), pod('running', 'n1', 'Running'), pod('new-pending')];
  t.deepEqual(names(podsToDelete(pods, 2)), ['new-pending', 'old-pending']);
});

test('podsToDelete: among scheduled pods, not ready before ready', (t) => {
  const pods = [
    pod('a-running', 'n1', 'Running'),
    pod('b-pending', 'n1', 'Pending'),
    pod('c-running', 'n2', 'Running'),
    pod('d-unknown', 'n2'),
  ];
  t.deepEqual(names(podsToDelete(pods, 4)), ['d-unknown', 'b-pending', 'c-running', 'a-running']);
  t.deepEqual(names(podsToDelete(pods, 1)), ['d-unknown']);
});

test('podsToDelete: scheduled-ness outranks readiness', (t) => {
  // An unscheduled pod cannot be Running, but the rule holds even for an odd status.
  const pods = [pod('scheduled-pending', 'n1', 'Pending'), pod('unscheduled-running', undefined, 'Running')];
  t.deepEqual(names(podsToDelete(pods, 1)), ['unscheduled-running']);
});

test('podsToDelete: n of 0, and n beyond the list', (t) => {
  const pods = [pod('a', 'n1', 'Running'), pod('b')];
  t.deepEqual(podsToDelete(pods, 0), []);
  t.deepEqual(names(podsToDelete(pods, 5)), ['b', 'a']);
  t.deepEqual(podsToDelete([], 3), []);
});

test('podsToDelete returns the pod objects themselves and leaves the input in order', (t) => {
  const pods = [pod('a', 'n1', 'Running'), pod('b')];
  const out = podsToDelete(pods, 1);
  t.is(out[0], pods[1]);
  t.deepEqual(names(pods), ['a', 'b']);
});
