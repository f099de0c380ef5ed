import test from 'ava';
import {
  milliValueExact,
  nodeAllocatable,
  parseQuantity,
  plainPodRequests,
  podNonZeroRequests,
  podRequests,
  toMilli,
  toUnits,
  valueExact,
  ValidationError,
} from '../../../engine/api/index.js';
import type { Container, Pod } from '../../../engine/api/index.js';

const MI = 1024 * 1024;

// [text, milli (rounded up), value (rounded up)]
const valid: [string | number, bigint, bigint][] = [
  ['100m', 100n, 1n], // 0.1 → Value rounds up to 1
  ['1.5', 1500n, 2n],
  ['2Gi', 2147483648000n, 2147483648n], // 2 × 2^30
  ['500M', 500000000000n, 500000000n],
  ['1e3', 1000000n, 1000n],
  ['1E3', 1000000n, 1000n], // exponent, not exa, when digits follow
  ['12E', 12n * 10n ** 21n, 12n * 10n ** 18n], // exa
  ['0.1m', 1n, 1n], // 0.0001 → MilliValue rounds up to 1
  ['1n', 1n, 1n], // 1e-9 → rounds up
  ['-1', -1000n, -1n],
  ['1.5Gi', 1610612736000n, 1610612736n], // 1.5 × 2^30
  ['0', 0n, 0n],
  ['.5', 500n, 1n],
  ['1Ki', 1024000n, 1024n],
  ['+2k', 2000000n, 2000n],
  ['1e-3', 1n, 1n],
  [0.5, 500n, 1n], // YAML numbers
  [4, 4000n, 4n],
];

for (const [text, milli, value] of valid) {
  test(`parseQuantity(${JSON.stringify(text)}) = ${milli} milli, ${value} units`, (t) => {
    const q = parseQuantity(text);
    t.is(milliValueExact(q), milli);
    t.is(valueExact(q), value);
  });
}

const invalid = ['abc', '1.2.3', '1Qi', ' 1', '1 ', '', '1e', 'Mi', '1mi', '--1', '1.5.Gi'];
for (const text of invalid) {
  test(`parseQuantity(${JSON.stringify(text)}) is invalid`, (t) => {
    const err = t.throws(() => parseQuantity(text, 'spec.x'), { instanceOf: ValidationError });
    t.is(err.message, `spec.x: invalid quantity ${JSON.stringify(text)}`);
    t.is(err.code, 'INVALID_QUANTITY');
  });
}

test('toMilli / toUnits give JS numbers and refuse values beyond 2^53', (t) => {
  t.is(toMilli('250m'), 250);
  t.is(toUnits('1Gi'), 1073741824);
  t.is(toMilli('1Gi'), 1073741824000);
  const err = t.throws(() => toUnits('12E', 'status.capacity.memory'));
  t.is(err.message, 'status.capacity.memory: quantity "12E" is too large to count exactly');
});

function c(requests?: Record<string, string>, extra: Partial<Container> = {}): Container {
  return { name: 'c', ...(requests ? { resources: { requests } } : {}), ...extra };
}
function pod(containers: Container[], initContainers?: Container[], overhead?: Record<string, string>): Pod {
  return {
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers, ...(initContainers ? { initContainers } : {}), ...(overhead ? { overhead } : {}) },
  };
}

const requestCases: { name: string; pod: Pod; want: Record<string, number> }[] = [
  {
    name: 'sum of containers vs max init container, plus overhead',
    pod: pod(
      [c({ cpu: '100m', memory: '128Mi' }), c({ cpu: '200m', memory: '256Mi' })],
      [c({ cpu: '500m', memory: '64Mi' })],
      { cpu: '10m', memory: '1Mi' },
    ),
    // cpu: max(100 + 200, 500) + 10 = 510
    // memory: max(128Mi + 256Mi, 64Mi) + 1Mi = 385Mi = 403701760
    want: { cpu: 510, memory: 385 * MI },
  },
  {
    name: 'sidecar init containers keep running',
    pod: pod([c({ cpu: '300m' })], [c({ cpu: '50m' }, { restartPolicy: 'Always' }), c({ cpu: '400m' })]),
    // sidecar 50 runs beside the later init container: 400 + 50 = 450;
    // main phase: 300 + 50 = 350; max(350, 450) = 450
    want: { cpu: 450 },
  },
  {
    name: 'extended resources add up',
    pod: pod([c({ 'nvidia.com/gpu': '1' }), c({ 'nvidia.com/gpu': '2' })]),
    want: { 'nvidia.com/gpu': 3 },
  },
  { name: 'no containers', pod: pod([]), want: {} },
];
for (const tc of requestCases) {
  test(`podRequests: ${tc.name}`, (t) => {
    t.deepEqual(Object.fromEntries(podRequests(tc.pod)), tc.want);
  });
}

test('podRequests reads limits when asked', (t) => {
  const p = pod([{ name: 'a', resources: { requests: { cpu: '1' }, limits: { cpu: '2', memory: '1Gi' } } }]);
  t.deepEqual(Object.fromEntries(podRequests(p, 'limits')), { cpu: 2000, memory: 1073741824 });
});

const nonZeroCases: { name: string; pod: Pod; want: { milliCpu: number; memoryBytes: number } }[] = [
  // 2 × 100m, 2 × 200Mi
  {
    name: 'defaults for containers without requests',
    pod: pod([c(), c()]),
    want: { milliCpu: 200, memoryBytes: 400 * MI },
  },
  // explicit 0 stays 0; memory missing → 200Mi
  {
    name: 'explicit zero stays zero',
    pod: pod([c({ cpu: '0' })]),
    want: { milliCpu: 0, memoryBytes: 200 * MI },
  },
  // cpu: max(50, default 100) = 100; memory: max(100Mi, default 200Mi) = 200Mi
  {
    name: 'init container defaults take part in the max',
    pod: pod([c({ cpu: '50m', memory: '100Mi' })], [c()]),
    want: { milliCpu: 100, memoryBytes: 200 * MI },
  },
  // cpu: 1000 + sidecar default 100 = 1100; memory: default 200Mi + sidecar default 200Mi
  {
    name: 'sidecars count with defaults',
    pod: pod([c({ cpu: '1' })], [c(undefined, { restartPolicy: 'Always' })]),
    want: { milliCpu: 1100, memoryBytes: 400 * MI },
  },
  // overhead adds to the non-zero sum: 100 + 250 = 350; 200Mi + 10Mi
  {
    name: 'overhead added',
    pod: pod([c()], undefined, { cpu: '250m', memory: '10Mi' }),
    want: { milliCpu: 350, memoryBytes: 210 * MI },
  },
  { name: 'no containers stays zero', pod: pod([]), want: { milliCpu: 0, memoryBytes: 0 } },
];
for (const tc of nonZeroCases) {
  test(`podNonZeroRequests: ${tc.name}`, (t) => {
    t.deepEqual(podNonZeroRequests(tc.pod), tc.want);
  });
}

test('plainPodRequests: one pass equal to podRequests + podNonZeroRequests for plain pods, undefined otherwise', (t) => {
  const plain = [
    ...requestCases.map((tc) => tc.pod),
    ...nonZeroCases.map((tc) => tc.pod),
    pod([c({ 'nvidia.com/gpu': '2', cpu: '2' }), c({ memory: '1Gi' }), c()]),
  ].filter((p) => p.spec!.initContainers === undefined && p.spec!.overhead === undefined);
  t.true(plain.length >= 4);
  for (const p of plain) {
    const r = plainPodRequests(p)!;
    // Same sums and the same key order as the two general functions.
    t.deepEqual([...r.requests], [...podRequests(p)]);
    const nz = podNonZeroRequests(p);
    t.deepEqual({ milliCpu: r.nonZeroMilliCpu, memoryBytes: r.nonZeroMemoryBytes }, nz);
  }
  // Three containers: cpu 2000 + default 100 + default 100 (non-zero), memory default 200Mi + 1Gi + 200Mi.
  const three = plainPodRequests(pod([c({ 'nvidia.com/gpu': '2', cpu: '2' }), c({ memory: '1Gi' }), c()]))!;
  t.deepEqual(
    [...three.requests],
    [
      ['nvidia.com/gpu', 2],
      ['cpu', 2000],
      ['memory', 1024 * MI],
    ],
  );
  t.is(three.nonZeroMilliCpu, 2200);
  t.is(three.nonZeroMemoryBytes, 1024 * MI + 400 * MI);
  t.is(plainPodRequests(pod([c()], [c()])), undefined);
  t.is(plainPodRequests(pod([c()], undefined, { cpu: '250m' })), undefined);
  const err = t.throws(() => plainPodRequests(pod([c({ cpu: '1' }), c({ memory: '1x' })])));
  t.is(err.message, 'spec.containers[1].resources.requests.memory: invalid quantity "1x"');
});

test('podRequests names the field of an invalid quantity', (t) => {
  const err = t.throws(() => podRequests(pod([c({ cpu: '1' }), c({ memory: '1x' })])));
  t.is(err.message, 'spec.containers[1].resources.requests.memory: invalid quantity "1x"');
});

test('nodeAllocatable falls back to capacity and names the field it read', (t) => {
  t.deepEqual(Object.fromEntries(nodeAllocatable({ status: { capacity: { cpu: '4', pods: '110' } } })), {
    cpu: 4000,
    pods: 110,
  });
  const err = t.throws(() => nodeAllocatable({ status: { capacity: { cpu: 'x' } } }));
  t.is(err.message, 'status.capacity.cpu: invalid quantity "x"');
});

test('parseQuantity remembers valid texts only: an invalid text throws with its own path every time', (t) => {
  const a = parseQuantity('1536Mi', 'x');
  t.is(parseQuantity('1536Mi', 'y'), a); // the same immutable result
  t.deepEqual(a, { num: 1536n * 1024n * 1024n, scale: 0 });
  for (const path of ['spec.a', 'spec.b'])
    t.throws(() => parseQuantity('12 Gi', path), { message: new RegExp(`^${path.replace('.', '\\.')}`) });
});
