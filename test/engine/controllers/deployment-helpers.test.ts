import test from 'ava';
import {
  intOrPercent,
  podTemplateHash,
  surgeAndUnavailable,
} from '../../../engine/controllers/deployment.js';
import type { Deployment } from '../../../engine/api/types.js';

// ---- podTemplateHash ----
// FNV-32a over the template's canonical JSON (+ the decimal collision count when non-zero), the
// decimal of the hash then encoded with rand.SafeEncodeString: each byte b → ALPHABET[b % 27] with
// ALPHABET = "bcdfghjklmnpqrstvwxz2456789", so digits map '0'→'4' '1'→'5' '2'→'6' '3'→'7' '4'→'8'
// '5'→'9' '6'→'b' '7'→'c' '8'→'d' '9'→'f'. Expected values were computed with an independent FNV-1a.

test('podTemplateHash of an empty template', (t) => {
  // FNV-32a("{}") = 1415952421 → "5859f96865".
  t.is(podTemplateHash({}), '5859f96865');
  t.is(podTemplateHash(undefined), '5859f96865');
});

test('podTemplateHash with a collision count', (t) => {
  // FNV-32a("{}1") = 4028680060 → "846dbd44b4"; a count of 0 hashes as no count.
  t.is(podTemplateHash({}, 1), '846dbd44b4');
  t.is(podTemplateHash({}, 0), '5859f96865');
});

test('podTemplateHash of a template does not depend on key order', (t) => {
  // Canonical JSON: {"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx","name":"c"}]}}
  // FNV-32a = 1332954402 → "5776f98846".
  const a = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'web' } } };
  t.is(podTemplateHash(a), '5776f98846');
  t.is(podTemplateHash(b), '5776f98846');
});

// ---- intOrPercent (GetScaledValueFromIntOrPercent) ----

test('intOrPercent: integers pass through', (t) => {
  t.is(intOrPercent(3, 10, true, '25%'), 3);
  t.is(intOrPercent(0, 10, false, '25%'), 0);
});

test('intOrPercent: percentages of the total round up for surge, down otherwise', (t) => {
  // 25% of 10 = 2.5.
  t.is(intOrPercent('25%', 10, true, '0'), 3);
  t.is(intOrPercent('25%', 10, false, '0'), 2);
  // 30% of 10 = 3 exactly.
  t.is(intOrPercent('30%', 10, true, '0'), 3);
  t.is(intOrPercent('30%', 10, false, '0'), 3);
  // 1% of 3 = 0.03.
  t.is(intOrPercent('1%', 3, true, '0'), 1);
  t.is(intOrPercent('1%', 3, false, '0'), 0);
  t.is(intOrPercent('100%', 7, false, '0'), 7);
  t.is(intOrPercent('0%', 7, true, '0'), 0);
});

test('intOrPercent: a string must be a percentage, as GetScaledValueFromIntOrPercent requires', (t) => {
  for (const v of ['5', '', 'abc', '%5']) {
    t.throws(() => intOrPercent(v, 10, true, '25%'), {
      message: 'invalid value for IntOrString: invalid type: string is not a percentage',
    });
  }
  // Atoi of what precedes the '%' fails.
  for (const v of ['2.5%', '5 %', '%']) {
    t.throws(() => intOrPercent(v, 10, true, '25%'), {
      message: `invalid value for IntOrString: invalid value ${JSON.stringify(v)}`,
    });
  }
});

test('intOrPercent: undefined takes the default', (t) => {
  t.is(intOrPercent(undefined, 10, true, '25%'), 3);
  t.is(intOrPercent(undefined, 10, false, '25%'), 2);
});

// ---- surgeAndUnavailable (deployment util ResolveFenceposts + MaxUnavailable) ----

function deployment(
  replicas: number | undefined,
  rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string },
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default' },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } } },
      ...(rollingUpdate ? { strategy: { type: 'RollingUpdate', rollingUpdate } } : {}),
    },
  } as Deployment;
}

test('surgeAndUnavailable: defaults are 25% surge (up) and 25% unavailable (down)', (t) => {
  t.deepEqual(surgeAndUnavailable(deployment(10)), { maxSurge: 3, maxUnavailable: 2 });
  t.deepEqual(surgeAndUnavailable(deployment(4)), { maxSurge: 1, maxUnavailable: 1 });
  // replicas defaults to 1: surge ceil(0.25) = 1, unavailable floor(0.25) = 0.
  t.deepEqual(surgeAndUnavailable(deployment(undefined)), { maxSurge: 1, maxUnavailable: 0 });
});

test('surgeAndUnavailable: explicit integers and percentages', (t) => {
  t.deepEqual(surgeAndUnavailable(deployment(10, { maxSurge: 2, maxUnavailable: '50%' })), {
    maxSurge: 2,
    maxUnavailable: 5,
  });
  t.deepEqual(surgeAndUnavailable(deployment(5, { maxSurge: '10%', maxUnavailable: '10%' })), {
    maxSurge: 1,
    maxUnavailable: 0,
  });
});

test('surgeAndUnavailable: both zero makes maxUnavailable 1', (t) => {
  t.deepEqual(surgeAndUnavailable(deployment(3, { maxSurge: 0, maxUnavailable: 0 })), {
    maxSurge: 0,
    maxUnavailable: 1,
  });
  // 0% of 3 resolves to 0 as well.
  t.deepEqual(surgeAndUnavailable(deployment(3, { maxSurge: '0%', maxUnavailable: '0%' })), {
    maxSurge: 0,
    maxUnavailable: 1,
  });
});

test('surgeAndUnavailable: maxUnavailable is capped at replicas', (t) => {
  t.deepEqual(surgeAndUnavailable(deployment(2, { maxSurge: 1, maxUnavailable: 5 })), {
    maxSurge: 1,
    maxUnavailable: 2,
  });
  // Zero replicas: MaxUnavailable is 0 even after the both-zero bump.
  t.deepEqual(surgeAndUnavailable(deployment(0)), { maxSurge: 0, maxUnavailable: 0 });
});
