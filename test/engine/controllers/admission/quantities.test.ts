import test from 'ava';
import { formatAmount, parseAmount } from '../../../../engine/controllers/admission/quantities.js';
import { ValidationError } from '../../../../engine/api/errors.js';

// Quota/limit resource names: `cpu`, `requests.cpu` and `limits.cpu` are cpu (millicores); every
// other name (`memory`, `requests.memory`, `pods`, `count/pods`, `requests.nvidia.com/gpu`) counts
// whole units.

test('parseAmount: cpu names parse to millicores', (t) => {
  t.is(parseAmount('cpu', '2', 'spec.hard.cpu'), 2000);
  t.is(parseAmount('requests.cpu', '500m', 'spec.hard.requests.cpu'), 500);
  t.is(parseAmount('limits.cpu', '1.5', 'spec.hard.limits.cpu'), 1500);
  t.is(parseAmount('limits.cpu', 4, 'spec.hard.limits.cpu'), 4000);
});

test('parseAmount: other names parse to whole units', (t) => {
  t.is(parseAmount('memory', '1Gi', 'p'), 1024 ** 3);
  t.is(parseAmount('requests.memory', '512Mi', 'p'), 512 * 1024 ** 2);
  t.is(parseAmount('limits.ephemeral-storage', '1G', 'p'), 1_000_000_000);
  t.is(parseAmount('pods', '10', 'p'), 10);
  t.is(parseAmount('count/deployments.apps', 3, 'p'), 3);
  t.is(parseAmount('requests.nvidia.com/gpu', '4', 'p'), 4);
  // Only the leading requests./limits. is a prefix: `requests.storage` is storage bytes.
  t.is(parseAmount('requests.storage', '1Ki', 'p'), 1024);
});

test('parseAmount: an invalid quantity throws at the path given', (t) => {
  const err = t.throws(() => parseAmount('requests.cpu', 'lots', 'spec.hard.requests.cpu'), {
    instanceOf: ValidationError,
  });
  t.is(err.path, 'spec.hard.requests.cpu');
  t.is(err.code, 'INVALID_QUANTITY');
});

test('formatAmount: cpu in whole cores when exact, else millicores', (t) => {
  t.is(formatAmount('cpu', 2000), '2');
  t.is(formatAmount('cpu', 0), '0');
  t.is(formatAmount('cpu', 1500), '1500m');
  t.is(formatAmount('requests.cpu', 250), '250m');
  t.is(formatAmount('limits.cpu', 3000), '3');
});

test('formatAmount: memory and storage in the largest exact binary suffix', (t) => {
  t.is(formatAmount('memory', 2 * 1024 ** 4), '2Ti');
  t.is(formatAmount('memory', 1024 ** 3), '1Gi');
  t.is(formatAmount('requests.memory', 1536 * 1024 ** 2), '1536Mi'); // 1.5Gi is not a whole Gi
  t.is(formatAmount('limits.memory', 4096), '4Ki');
  t.is(formatAmount('ephemeral-storage', 10 * 1024 ** 3), '10Gi');
  t.is(formatAmount('requests.storage', 1000), '1000'); // not a multiple of 1024: plain bytes
  t.is(formatAmount('memory', 0), '0');
});

test('formatAmount: counts as plain integers', (t) => {
  t.is(formatAmount('pods', 10), '10');
  t.is(formatAmount('count/pods', 1024), '1024'); // no binary suffix for counts
  t.is(formatAmount('requests.nvidia.com/gpu', 8), '8');
});

test('formatAmount and parseAmount round-trip', (t) => {
  for (const [resource, amount] of [
    ['cpu', 1500],
    ['requests.cpu', 2000],
    ['memory', 3 * 1024 ** 3],
    ['limits.memory', 1536 * 1024 ** 2],
    ['pods', 7],
  ] as const) {
    t.is(parseAmount(resource, formatAmount(resource, amount), 'p'), amount, resource);
  }
});
