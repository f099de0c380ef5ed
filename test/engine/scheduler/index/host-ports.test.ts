import test from 'ava';
import { podHostPorts } from '../../../../engine/scheduler/index/index.js';
import type { Pod } from '../../../../engine/api/types.js';
import { makePod } from '../../../helpers/builders.js';

// NodePorts' getContainerPorts: host ports of regular containers only, ports without a positive
// hostPort skipped; HostPortInfo sanitizes an empty protocol to TCP and an empty hostIP to 0.0.0.0.

test('podHostPorts: host ports of all regular containers, with defaults filled in', (t) => {
  const pod = makePod('p')
    .container('a', {
      ports: [
        { containerPort: 80, hostPort: 8080 },
        { containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' },
      ],
    })
    .container('b', { ports: [{ containerPort: 443, hostPort: 443, protocol: 'TCP' }] })
    .build();
  t.deepEqual(podHostPorts(pod), [
    { protocol: 'TCP', hostIP: '0.0.0.0', port: 8080 },
    { protocol: 'UDP', hostIP: '10.0.0.1', port: 53 },
    { protocol: 'TCP', hostIP: '0.0.0.0', port: 443 },
  ]);
});

test('podHostPorts: container ports without a host port are skipped', (t) => {
  const pod = makePod('p')
    .container('a', {
      ports: [
        { containerPort: 80 },
        { containerPort: 81, hostPort: 0 },
        { containerPort: 82, hostPort: 9090, protocol: 'SCTP' },
      ],
    })
    .build();
  t.deepEqual(podHostPorts(pod), [{ protocol: 'SCTP', hostIP: '0.0.0.0', port: 9090 }]);
});

test('podHostPorts: init containers do not count', (t) => {
  const pod = makePod('p')
    .container('a')
    .with((p) => (p.spec!.initContainers = [{ name: 'i', ports: [{ containerPort: 1, hostPort: 1000 }] }]))
    .build();
  t.deepEqual(podHostPorts(pod), []);
});

test('podHostPorts: no containers or no spec', (t) => {
  t.deepEqual(podHostPorts(makePod('p').build()), []);
  t.deepEqual(podHostPorts({ kind: 'Pod', metadata: { name: 'x' } } as Pod), []);
});
