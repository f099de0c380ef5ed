import test from 'ava';
import { resourceAmount } from '../../../engine/api/quantity.js';
import { ValidationError } from '../../../engine/api/errors.js';

// Canonical units: cpu in millicores (Quantity.MilliValue), everything else in whole units
// (Quantity.Value); both round a fractional result up, as resource.Quantity does.

test('resourceAmount: cpu in millicores', (t) => {
  t.is(resourceAmount('cpu', '100m'), 100);
  t.is(resourceAmount('cpu', '1'), 1000);
  t.is(resourceAmount('cpu', 2), 2000);
  t.is(resourceAmount('cpu', '0.5'), 500);
  t.is(resourceAmount('cpu', '1.5'), 1500);
  t.is(resourceAmount('cpu', '1e3'), 1_000_000); // 1000 cores
  t.is(resourceAmount('cpu', '250000u'), 250); // 0.25 cores
  t.is(resourceAmount('cpu', '1500n'), 1); // 1.5e-6 cores = 0.0015m, rounded up to 1m
  t.is(resourceAmount('cpu', '0'), 0);
});

test('resourceAmount: memory in bytes, binary and decimal suffixes', (t) => {
  t.is(resourceAmount('memory', '1.5Gi'), 1.5 * 1024 ** 3); // 1610612736
  t.is(resourceAmount('memory', '128Mi'), 128 * 1024 ** 2);
  t.is(resourceAmount('memory', '1Ki'), 1024);
  t.is(resourceAmount('memory', '500M'), 500_000_000);
  t.is(resourceAmount('memory', '1G'), 1_000_000_000);
  t.is(resourceAmount('memory', '1e3'), 1000);
  t.is(resourceAmount('memory', '2k'), 2000);
  // 0.1 byte rounds up to 1 (Quantity.Value rounds away from zero for positives).
  t.is(resourceAmount('memory', '100m'), 1);
  t.is(resourceAmount('ephemeral-storage', '10Gi'), 10 * 1024 ** 3);
});

test('resourceAmount: counts and extended resources in whole units', (t) => {
  t.is(resourceAmount('pods', '110'), 110);
  t.is(resourceAmount('pods', 110), 110);
  t.is(resourceAmount('nvidia.com/gpu', '2'), 2);
  t.is(resourceAmount('hugepages-2Mi', '4Mi'), 4 * 1024 ** 2);
});

test('resourceAmount: the same text gives cpu millicores and units for other resources', (t) => {
  // The memo is per unit; a text parsed for cpu must not leak into memory.
  t.is(resourceAmount('cpu', '3'), 3000);
  t.is(resourceAmount('memory', '3'), 3);
  t.is(resourceAmount('cpu', '3'), 3000);
});

test('resourceAmount: an invalid quantity throws naming the path, given as a string or a function', (t) => {
  const e1 = t.throws(() => resourceAmount('cpu', '1 core', 'spec.containers[0].resources.requests.cpu'), {
    instanceOf: ValidationError,
  });
  t.is(e1.path, 'spec.containers[0].resources.requests.cpu');
  t.is(e1.code, 'INVALID_QUANTITY');
  t.is(e1.detail, 'invalid quantity "1 core"');
  const e2 = t.throws(() => resourceAmount('memory', '1GB', () => 'status.allocatable.memory'), {
    instanceOf: ValidationError,
  });
  t.is(e2.path, 'status.allocatable.memory');
  t.is(e2.detail, 'invalid quantity "1GB"');
  // Not remembered: the same invalid text throws again, with the new path.
  const e3 = t.throws(() => resourceAmount('memory', '1GB', 'other'), { instanceOf: ValidationError });
  t.is(e3.path, 'other');
});
