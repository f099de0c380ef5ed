import test from 'ava';
import { moreImportant, podPriority } from '../../../../engine/scheduler/preemption/preemption.js';
import type { Pod } from '../../../../engine/api/types.js';
import { makePod } from '../../../helpers/builders.js';

// corev1helpers.PodPriority: spec.priority, 0 when unset. util.MoreImportantPod: higher priority
// first, then the earlier status.startTime (a pod not started counts as starting "now", after all).

function pod(name: string, priority?: number, startTime?: string): Pod {
  const b = makePod(name).container();
  if (priority !== undefined) b.priority(priority);
  const built = b.build();
  return startTime ? { ...built, status: { startTime } } : built;
}

test('podPriority', (t) => {
  t.is(podPriority(pod('a', 1000)), 1000);
  t.is(podPriority(pod('b', -5)), -5);
  t.is(podPriority(pod('c')), 0);
  t.is(podPriority({ kind: 'Pod', metadata: { name: 'd' } } as Pod), 0);
});

test('moreImportant: priority decides first, whatever the start times', (t) => {
  const highLate = pod('h', 100, '2024-01-01T10:00:00Z');
  const lowEarly = pod('l', 10, '2024-01-01T09:00:00Z');
  t.true(moreImportant(highLate, lowEarly));
  t.false(moreImportant(lowEarly, highLate));
  // Unset priority is 0, below a positive one and above a negative one.
  t.true(moreImportant(pod('p', 1), pod('z')));
  t.true(moreImportant(pod('z'), pod('n', -1)));
});

test('moreImportant: equal priority, the earlier start wins', (t) => {
  const early = pod('e', 5, '2024-01-01T09:00:00Z');
  const late = pod('l', 5, '2024-01-01T09:00:01Z');
  t.true(moreImportant(early, late));
  t.false(moreImportant(late, early));
  // A started pod is more important than one not started.
  const notStarted = pod('n', 5);
  t.true(moreImportant(late, notStarted));
  t.false(moreImportant(notStarted, late));
});

test('moreImportant: a tie is not more important either way', (t) => {
  const a = pod('a', 5, '2024-01-01T09:00:00Z');
  const b = pod('b', 5, '2024-01-01T09:00:00Z');
  t.false(moreImportant(a, b));
  t.false(moreImportant(b, a));
  t.false(moreImportant(pod('c'), pod('d')));
});
