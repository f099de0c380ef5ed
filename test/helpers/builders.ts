/**
 * Fluent builders of Kubernetes objects for tests (kube-scheduler's st.MakePod()/st.MakeNode() style):
 *
 *   makePod('p').req({ cpu: '500m', memory: '1Gi' }).toleration({ key: 'k', operator: 'Exists' }).build()
 *   makeNode('n1').cap({ cpu: '4', memory: '8Gi', pods: 110 }).label('zone', 'a').taint('k', 'v', 'NoSchedule').build()
 *
 * Every builder returns a fresh object from build(); builders are mutable and chainable.
 */
import type {
  Affinity,
  Container,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from '../../engine/api/types.js';

type Quantities = Record<string, string | number>;

function quantities(q: Quantities): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) out[k] = String(v);
  return out;
}

/** Builds a Pod. */
export class PodBuilder {
  readonly pod: Pod;
  constructor(name: string) {
    this.pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [] },
    };
  }
  #spec() {
    return this.pod.spec!;
  }
  /** Sets the namespace. */
  ns(namespace: string): this {
    this.pod.metadata!.namespace = namespace;
    return this;
  }
  /** Sets metadata.uid. */
  uid(uid: string): this {
    (this.pod.metadata as { uid?: string }).uid = uid;
    return this;
  }
  /** Adds a label. */
  label(key: string, value: string): this {
    (this.pod.metadata!.labels ??= {})[key] = value;
    return this;
  }
  /** Adds labels. */
  labels(labels: Record<string, string>): this {
    for (const [k, v] of Object.entries(labels)) this.label(k, v);
    return this;
  }
  /** Adds a container with these requests (one container per call). */
  req(requests: Quantities, image?: string): this {
    const c: Container = {
      name: `c${this.#spec().containers.length}`,
      resources: { requests: quantities(requests) },
    };
    if (image) c.image = image;
    this.#spec().containers.push(c);
    return this;
  }
  /** Adds a container without requests (non-zero defaults apply in scoring). */
  container(image = 'busybox', extra: Partial<Container> = {}): this {
    this.#spec().containers.push({ name: `c${this.#spec().containers.length}`, image, ...extra });
    return this;
  }
  /** Adds an init container with these requests. */
  initReq(requests: Quantities, image?: string): this {
    const list = (this.#spec().initContainers ??= []);
    const c: Container = { name: `i${list.length}`, resources: { requests: quantities(requests) } };
    if (image) c.image = image;
    list.push(c);
    return this;
  }
  /** Sets spec.overhead. */
  overhead(q: Quantities): this {
    this.#spec().overhead = quantities(q);
    return this;
  }
  /** Sets spec.priority. */
  priority(p: number): this {
    this.#spec().priority = p;
    return this;
  }
  /** Sets spec.nodeName (a bound pod, or a pod asking for a node). */
  node(nodeName: string): this {
    this.#spec().nodeName = nodeName;
    return this;
  }
  /** Sets spec.schedulerName. */
  scheduler(name: string): this {
    this.#spec().schedulerName = name;
    return this;
  }
  /** Sets spec.nodeSelector entries. */
  nodeSelector(sel: Record<string, string>): this {
    this.#spec().nodeSelector = { ...(this.#spec().nodeSelector ?? {}), ...sel };
    return this;
  }
  /** Adds a toleration. */
  toleration(t: Toleration): this {
    (this.#spec().tolerations ??= []).push(t);
    return this;
  }
  #affinity(): Affinity {
    return (this.#spec().affinity ??= {});
  }
  /** Adds a required node-affinity term (terms are ORed). */
  requiredTerm(matchExpressions: NodeSelectorRequirement[], matchFields?: NodeSelectorRequirement[]): this {
    const na = (this.#affinity().nodeAffinity ??= {});
    const req = (na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
    const term: NodeSelectorTerm = {};
    if (matchExpressions.length) term.matchExpressions = matchExpressions;
    if (matchFields?.length) term.matchFields = matchFields;
    req.nodeSelectorTerms.push(term);
    return this;
  }
  /** Adds a preferred node-affinity term. */
  preferredTerm(
    weight: number,
    matchExpressions: NodeSelectorRequirement[],
    matchFields?: NodeSelectorRequirement[],
  ): this {
    const na = (this.#affinity().nodeAffinity ??= {});
    const pref = (na.preferredDuringSchedulingIgnoredDuringExecution ??= []);
    const preference: NodeSelectorTerm = {};
    if (matchExpressions.length) preference.matchExpressions = matchExpressions;
    if (matchFields?.length) preference.matchFields = matchFields;
    pref.push({ weight, preference });
    return this;
  }
  /** Adds a required pod affinity (or anti-affinity) term. */
  podAffinity(term: PodAffinityTerm, anti = false): this {
    const a = this.#affinity();
    const pa = anti ? (a.podAntiAffinity ??= {}) : (a.podAffinity ??= {});
    (pa.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(term);
    return this;
  }
  /** Adds a preferred pod affinity (or anti-affinity) term. */
  preferredPodAffinity(weight: number, term: PodAffinityTerm, anti = false): this {
    const a = this.#affinity();
    const pa = anti ? (a.podAntiAffinity ??= {}) : (a.podAffinity ??= {});
    (pa.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: term });
    return this;
  }
  /** Adds a topology spread constraint. */
  spread(c: TopologySpreadConstraint): this {
    (this.#spec().topologySpreadConstraints ??= []).push(c);
    return this;
  }
  /** Adds a host port to the first container (creating one if needed). */
  hostPort(port: number, protocol = 'TCP', hostIP?: string): this {
    if (this.#spec().containers.length === 0) this.container();
    const c = this.#spec().containers[0]!;
    (c.ports ??= []).push({ containerPort: port, hostPort: port, protocol, ...(hostIP ? { hostIP } : {}) });
    return this;
  }
  /** Adds a scheduling gate. */
  gate(name: string): this {
    (this.#spec().schedulingGates ??= []).push({ name });
    return this;
  }
  /** Applies an arbitrary mutation. */
  with(f: (p: Pod) => void): this {
    f(this.pod);
    return this;
  }
  /** A deep copy of the pod. */
  build(): Pod {
    return structuredClone(this.pod);
  }
}

/** Builds a Node. */
export class NodeBuilder {
  readonly node: Node;
  constructor(name: string) {
    this.node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: { capacity: {}, allocatable: {} },
    };
  }
  /** Sets capacity and allocatable (same values). */
  cap(q: Quantities): this {
    Object.assign(this.node.status!.capacity!, quantities(q));
    Object.assign(this.node.status!.allocatable!, quantities(q));
    return this;
  }
  /** Sets allocatable only. */
  alloc(q: Quantities): this {
    Object.assign(this.node.status!.allocatable!, quantities(q));
    return this;
  }
  /** Adds a label. */
  label(key: string, value: string): this {
    this.node.metadata!.labels![key] = value;
    return this;
  }
  /** Adds labels. */
  labels(labels: Record<string, string>): this {
    Object.assign(this.node.metadata!.labels!, labels);
    return this;
  }
  /** Sets the topology.kubernetes.io/zone label. */
  zone(zone: string): this {
    return this.label('topology.kubernetes.io/zone', zone);
  }
  /** Adds a taint. */
  taint(key: string, value: string | undefined, effect: Taint['effect']): this {
    const t: Taint = { key, effect };
    if (value !== undefined) t.value = value;
    (this.node.spec!.taints ??= []).push(t);
    return this;
  }
  /** Marks the node unschedulable (cordoned). */
  unschedulable(on = true): this {
    this.node.spec!.unschedulable = on;
    return this;
  }
  /** Adds an image with its names and size in bytes. */
  image(names: string[], sizeBytes: number): this {
    (this.node.status!.images ??= []).push({ names, sizeBytes });
    return this;
  }
  /** Applies an arbitrary mutation. */
  with(f: (n: Node) => void): this {
    f(this.node);
    return this;
  }
  /** A deep copy of the node. */
  build(): Node {
    return structuredClone(this.node);
  }
}

/** Starts a pod builder. */
export function makePod(name: string): PodBuilder {
  return new PodBuilder(name);
}

/** Starts a node builder. */
export function makeNode(name: string): NodeBuilder {
  return new NodeBuilder(name);
}
