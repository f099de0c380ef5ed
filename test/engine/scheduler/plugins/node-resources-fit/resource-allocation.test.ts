import test from 'ava';
import {
  isExtendedResourceName,
  isScalarResourceName,
} from '../../../../../engine/scheduler/plugins/node-resources-fit/resource-allocation.js';

// v1helper.IsExtendedResourceName: not native (native = no '/' or containing "kubernetes.io/") and not
// prefixed with "requests.". IsScalarResourceName: extended, hugepages-*, prefixed native
// (contains "kubernetes.io/") or attachable-volumes-*.

test('isExtendedResourceName', (t) => {
  for (const name of ['nvidia.com/gpu', 'example.com/foo', 'fpga.intel.com/arria10']) {
    t.true(isExtendedResourceName(name), name);
  }
  for (const name of [
    'cpu',
    'memory',
    'ephemeral-storage',
    'pods',
    'hugepages-2Mi',
    'kubernetes.io/batch-cpu',
    'scheduling.kubernetes.io/foo',
    'requests.example.com/foo',
  ]) {
    t.false(isExtendedResourceName(name), name);
  }
});

test('isScalarResourceName', (t) => {
  for (const name of [
    'nvidia.com/gpu',
    'hugepages-2Mi',
    'hugepages-1Gi',
    'kubernetes.io/batch-cpu',
    'attachable-volumes-aws-ebs',
  ]) {
    t.true(isScalarResourceName(name), name);
  }
  for (const name of ['cpu', 'memory', 'ephemeral-storage', 'pods', 'requests.example.com/foo']) {
    t.false(isScalarResourceName(name), name);
  }
});
