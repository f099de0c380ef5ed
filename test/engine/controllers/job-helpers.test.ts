import test from 'ava';
import { formatIndexes } from '../../../engine/controllers/job.js';

// status.completedIndexes: sorted indexes as comma-separated intervals, "first-last" for a run of
// two or more consecutive indexes, the single number otherwise (Kubernetes indexed_job_utils).

test('formatIndexes', (t) => {
  t.is(formatIndexes([]), '');
  t.is(formatIndexes([0]), '0');
  t.is(formatIndexes([0, 1]), '0-1');
  t.is(formatIndexes([0, 1, 2, 4, 6, 7]), '0-2,4,6-7');
  t.is(formatIndexes([1, 3, 5]), '1,3,5');
  t.is(formatIndexes([3, 4, 5, 6, 7, 8, 9, 10]), '3-10');
  t.is(formatIndexes([9, 10, 12]), '9-10,12');
});
