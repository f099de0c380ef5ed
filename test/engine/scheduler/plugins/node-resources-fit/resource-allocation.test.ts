import test from 'ava';
import {
  isExtendedResourceName,
  isScalarResourceName,
} from '../../../../../engine/scheduler/plugins/node-resources-fit/resource-allocation.js';

// v1helper.IsExtendedResourceName: not native (native = no '/' or containing "kubernetes.io/"), not
// prefixed with "requests.", and "requests.<name>" must be a qualified name (IsQualifiedName): one
// '/', a lower-case DNS-1123 subdomain before it, and after it 1-63 of [A-Za-z0-9-_.] starting and
// ending with an alphanumeric. IsScalarResourceName: extended, hugepages-*, prefixed native
// (contains "kubernetes.io/") or attachable-volumes-*.

test('isExtendedResourceName', (t) => {
  for (const name of [
    'nvidia.com/gpu',
    'example.com/foo',
    'fpga.intel.com/arria10',
    'kreplay.io/gpu-milli',
    'example.com/Foo_Bar.v2',
    `example.com/${'a'.repeat(63)}`,
    // "requests." + 244 characters is the longest prefix a DNS-1123 subdomain allows (253).
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(52)}/x`,
  ]) {
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
    // Not qualified names once prefixed with "requests.":
    'Example.com/foo', // upper case in the prefix
    'example.com/a/b', // two '/'
    '/foo', // empty prefix ("requests." ends in '.')
    'example.com/', // empty name part
    'example.com/-foo', // name part starts with '-'
    'example.com/foo.', // name part ends with '.'
    'example.com/f o', // space
    'exa_mple.com/foo', // '_' in the prefix
    `example.com/${'a'.repeat(64)}`, // name part over 63
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}/x`, // prefix over 253
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
