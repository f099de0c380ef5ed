import test from 'ava';
import { podMatchesScopes } from '../../../../engine/controllers/admission/resource-quota.js';
import type { Pod, ResourceQuota } from '../../../../engine/api/types.js';
import { makePod } from '../../../helpers/builders.js';

// ResourceQuota scopes (kube quota evaluator podMatchesScopeFunc):
// - BestEffort / NotBestEffort: QoS BestEffort = no container or init container has a cpu or memory
//   request or limit.
// - Terminating / NotTerminating: spec.activeDeadlineSeconds set / unset.
// - PriorityClass: Exists = a non-empty priorityClassName; other operators evaluate a label selector
//   on {PriorityClass: name}, a map that is empty when the pod has no class (so NotIn and
//   DoesNotExist match such pods, In does not).
// spec.scopes entries mean "Exists"; all scopes and scopeSelector expressions are ANDed.

function quota(spec: ResourceQuota['spec']): ResourceQuota {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec };
}

const bestEffort = makePod('be').container().build();
const burstable = makePod('bu').req({ cpu: '100m' }).build();
const limitOnly = makePod('lim')
  .container('busybox', { resources: { limits: { memory: '1Gi' } } })
  .build();
const initOnly = makePod('init').container().initReq({ memory: '64Mi' }).build();
const gpuOnly = makePod('gpu').req({ 'nvidia.com/gpu': '1' }).build();
const terminating = makePod('t')
  .container()
  .with((p) => (p.spec!.activeDeadlineSeconds = 60))
  .build();
const terminatingZero = makePod('t0')
  .container()
  .with((p) => (p.spec!.activeDeadlineSeconds = 0))
  .build();
const high = makePod('h')
  .container()
  .with((p) => (p.spec!.priorityClassName = 'high'))
  .build();
const low = makePod('l')
  .container()
  .with((p) => (p.spec!.priorityClassName = 'low'))
  .build();

function matching(q: ResourceQuota, pods: Record<string, Pod>): string[] {
  return Object.keys(pods).filter((k) => podMatchesScopes(q, pods[k]!));
}

test('podMatchesScopes: no scopes match every pod', (t) => {
  const pods = { bestEffort, burstable, terminating, high };
  t.deepEqual(matching(quota({ hard: { pods: '10' } }), pods), [
    'bestEffort',
    'burstable',
    'terminating',
    'high',
  ]);
  t.deepEqual(matching(quota(undefined), pods), ['bestEffort', 'burstable', 'terminating', 'high']);
});

test('podMatchesScopes: BestEffort and NotBestEffort follow the QoS class', (t) => {
  // Only cpu and memory decide QoS: a pod requesting only a GPU is BestEffort.
  const pods = { bestEffort, burstable, limitOnly, initOnly, gpuOnly };
  t.deepEqual(matching(quota({ scopes: ['BestEffort'] }), pods), ['bestEffort', 'gpuOnly']);
  t.deepEqual(matching(quota({ scopes: ['NotBestEffort'] }), pods), ['burstable', 'limitOnly', 'initOnly']);
  // GetPodQOS counts only quantities above zero: requests of 0 cpu and 0 memory leave a pod BestEffort.
  const zero = makePod('z').req({ cpu: '0', memory: '0Mi' }).build();
  const tiny = makePod('m').req({ cpu: '1m' }).build();
  t.deepEqual(matching(quota({ scopes: ['BestEffort'] }), { zero, tiny }), ['zero']);
  t.deepEqual(matching(quota({ scopes: ['NotBestEffort'] }), { zero, tiny }), ['tiny']);
});

test('podMatchesScopes: Terminating and NotTerminating follow activeDeadlineSeconds', (t) => {
  const pods = { bestEffort, terminating, terminatingZero };
  t.deepEqual(matching(quota({ scopes: ['Terminating'] }), pods), ['terminating', 'terminatingZero']);
  t.deepEqual(matching(quota({ scopes: ['NotTerminating'] }), pods), ['bestEffort']);
});

test('podMatchesScopes: PriorityClass scope selector operators', (t) => {
  const pods = { high, low, none: bestEffort };
  const sel = (operator: string, values?: string[]) =>
    quota({
      scopeSelector: {
        matchExpressions: [{ scopeName: 'PriorityClass', operator, ...(values ? { values } : {}) }],
      },
    });
  t.deepEqual(matching(sel('In', ['high']), pods), ['high']);
  t.deepEqual(matching(sel('In', ['high', 'low']), pods), ['high', 'low']);
  t.deepEqual(matching(sel('NotIn', ['high']), pods), ['low', 'none']);
  t.deepEqual(matching(sel('Exists'), pods), ['high', 'low']);
  t.deepEqual(matching(sel('DoesNotExist'), pods), ['none']);
  // spec.scopes: [PriorityClass] is the Exists form.
  t.deepEqual(matching(quota({ scopes: ['PriorityClass'] }), pods), ['high', 'low']);
});

test('podMatchesScopes: scopes and scope selector expressions are ANDed', (t) => {
  const highBurstable = makePod('hb')
    .req({ cpu: '1' })
    .with((p) => (p.spec!.priorityClassName = 'high'))
    .build();
  const pods = { high, low, highBurstable, burstable };
  const q = quota({
    scopes: ['NotBestEffort'],
    scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
  });
  t.deepEqual(matching(q, pods), ['highBurstable']);
  const two = quota({ scopes: ['BestEffort', 'NotTerminating'] });
  t.deepEqual(matching(two, { high, terminating, burstable }), ['high']);
});

test('podMatchesScopes: an unknown scope matches nothing', (t) => {
  t.false(podMatchesScopes(quota({ scopes: ['NoSuchScope'] }), bestEffort));
  const q = quota({
    scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Gt', values: ['1'] }] },
  });
  t.false(podMatchesScopes(q, high));
});
