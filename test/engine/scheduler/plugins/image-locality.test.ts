import test from 'ava';
import {
  calculatePriority,
  normalizedImageName,
} from '../../../../engine/scheduler/plugins/image-locality/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, scoresOf } from '../helpers.js';

const MB = 1024 * 1024;

test('normalizedImageName', (t) => {
  t.is(normalizedImageName('nginx'), 'nginx:latest');
  t.is(normalizedImageName('nginx:1.25'), 'nginx:1.25');
  t.is(normalizedImageName('registry:5000/app'), 'registry:5000/app:latest');
  t.is(normalizedImageName('app@sha256:abc'), 'app@sha256:abc');
});

test('score: size scaled by spread, thresholds 23 MB .. 1000 MB per container', (t) => {
  const nodes = [
    makeNode('n1')
      .cap({ cpu: '1', pods: 10 })
      .image(['big:latest'], 500 * MB)
      .image(['small:latest'], 10 * MB)
      .build(),
    makeNode('n2')
      .cap({ cpu: '1', pods: 10 })
      .image(['big:latest'], 500 * MB)
      .build(),
    makeNode('n3').cap({ cpu: '1', pods: 10 }).build(),
    makeNode('n4').cap({ cpu: '1', pods: 10 }).build(),
  ];
  const s = cluster(nodes, [], onlyPlugins([{ name: 'ImageLocality' }]));
  const pod = makePod('p').container('big').container('small').build();
  // big: 500 MB × 2/4 nodes = 250 MB; small: 10 MB × 1/4 = 2.5 MB; max = 2 × 1000 MB
  // n1: 252.5 MB → 100 × (252.5 − 23) / (2000 − 23) = 11 ; n2: 250 MB → 100 × 227 / 1977 = 11; n3, n4: 0
  const sum1 = Math.trunc(500 * MB * 0.5) + Math.trunc(10 * MB * 0.25);
  t.is(calculatePriority(sum1, 2), Math.trunc((100 * (sum1 - 23 * MB)) / (2000 * MB - 23 * MB)));
  t.deepEqual(scoresOf(s.explain(pod), 'ImageLocality'), { n1: 11, n2: 11, n3: 0, n4: 0 });
  // A single container with a 2 GB image on every node: clamped to max → 100.
  const s2 = cluster(
    [
      makeNode('n1')
        .cap({ cpu: '1', pods: 10 })
        .image(['huge:1'], 2000 * MB)
        .build(),
    ],
    [],
    onlyPlugins([{ name: 'ImageLocality' }]),
  );
  t.deepEqual(scoresOf(s2.explain(makePod('p').container('huge:1').build()), 'ImageLocality'), { n1: 100 });
});

test('NodeIndex.imageCount: distinct images on live nodes; no image anywhere scores every node 0', (t) => {
  const n1 = makeNode('n1')
    .cap({ cpu: '1', pods: 10 })
    .image(['big:latest'], 500 * MB)
    .image(['small:latest'], 10 * MB)
    .build();
  const n2 = makeNode('n2')
    .cap({ cpu: '1', pods: 10 })
    .image(['big:latest'], 500 * MB)
    .build();
  const s = cluster([n1, n2], [], onlyPlugins([{ name: 'ImageLocality' }]));
  t.is(s.index.imageCount, 2); // big (on both nodes, counted once) and small
  s.removeNode('n1');
  t.is(s.index.imageCount, 1); // small left with n1
  s.removeNode('n2');
  t.is(s.index.imageCount, 0);
  // Nodes that list no image at all: sum 0 clamps to the 23 MB floor → calculatePriority(0, 2) = 0
  // on every node, with an init container counted as a container (2 containers: max 2,000 MB).
  const bare = cluster(
    [makeNode('a').cap({ cpu: '1', pods: 10 }).build(), makeNode('b').cap({ cpu: '1', pods: 10 }).build()],
    [],
    onlyPlugins([{ name: 'ImageLocality' }]),
  );
  t.is(bare.index.imageCount, 0);
  t.is(calculatePriority(0, 2), 0);
  t.deepEqual(
    scoresOf(bare.explain(makePod('p').container('big').container('small').build()), 'ImageLocality'),
    {
      a: 0,
      b: 0,
    },
  );
});
