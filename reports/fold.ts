/**
 * The report fold: one pass over the event log (live, as a log listener, or from a saved file) that
 * derives every report of a run. State is per pod and per node (plus one row per time bucket and per
 * failed attempt, capped), never per event.
 */
import type { LogEntry } from '../engine/sim/types.js';
import { US_PER_SECOND } from '../engine/sim/types.js';
import type { KObject, Pod } from '../engine/api/types.js';
import { nodeAllocatable, podRequests } from '../engine/api/resources.js';
import type {
  AdmissionRejectEvent,
  ApiEvent,
  KubeletEvent,
  RunEndEvent,
  RunStartEvent,
  SchedBindEvent,
  SchedFailEvent,
  SchedPreemptEvent,
} from '../engine/cluster/events.js';
import { EVENT } from '../engine/cluster/events.js';
import { CONTROL_EVENT, type FaultEvent, type LeaderEvent } from '../engine/controllers/events.js';
import type {
  AttemptRow,
  BucketRow,
  ControlPlaneCounts,
  NodeRow,
  PodPhase,
  PodRow,
  ReasonCount,
  RunReport,
  RunTrailer,
  Utilization,
} from './types.js';
import { CONTROLLER_OWNER_KINDS } from './types.js';
import { nearestRank, round6 } from './format.js';

/** Resources whose allocation reports track, in report order. */
export const TRACKED_RESOURCES = ['cpu', 'memory', 'nvidia.com/gpu', 'kreplay.io/gpu-milli'] as const;
const R = TRACKED_RESOURCES.length;
const MIB = 1024 * 1024;
/** Bucket width when the log has no `run.start`. */
export const DEFAULT_BUCKET_SECONDS = 60;
/**
 * Most time buckets kept: past it, neighbouring buckets are merged in pairs and the width doubles,
 * so a 150-day trace with 60 s buckets still yields a readable time series of ≤ this many rows.
 */
export const MAX_BUCKETS = 2000;

/** Default cap on kept failed-attempt rows (`attempts.csv`); later ones are only counted. */
export const DEFAULT_MAX_ATTEMPT_ROWS = 1_000_000;
const GPU_MODEL_LABELS = ['kreplay.io/gpu-model', 'nvidia.com/gpu.product'];
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Options of a {@link ReportFold}. */
export interface ReportFoldOptions {
  /** Failed-attempt rows kept for `attempts.csv` (default {@link DEFAULT_MAX_ATTEMPT_ROWS}). */
  maxAttemptRows?: number;
}

interface NodeRec {
  name: string;
  createdUs: number;
  deletedUs: number | undefined;
  alive: boolean;
  gpuModel: string;
  zone: string;
  alloc: Float64Array;
  requested: Float64Array;
  /** ∫ ratio dt (µs) per resource since creation, up to `lastUs`. */
  integral: Float64Array;
  peak: Float64Array;
  lastUs: number;
  podsBound: number;
}

interface PodRec {
  namespace: string;
  name: string;
  ownerKind: string;
  ownerName: string;
  createdUs: number | undefined;
  scheduledUs: number | undefined;
  startedUs: number | undefined;
  finishedUs: number | undefined;
  deletedUs: number | undefined;
  node: NodeRec | undefined;
  lastNodeName: string;
  phase: PodPhase;
  running: boolean;
  terminal: boolean;
  attempts: number;
  requests: Float64Array;
  /** GPU device indexes of the last bind (`sched.bind` gpus), `;`-separated; '' for none. */
  gpus: string;
  quotaRejections: number;
  preemptions: number;
  evictions: number;
  restarts: number;
  /** The pod object's current `spec.nodeName` and `status.phase` (updates arrive as merge patches). */
  objNodeName: string | undefined;
  objPhase: string | undefined;
}

interface Bucket {
  integral: Float64Array;
  running: number;
  pending: number;
  closed: boolean;
  bound: number;
  created: number;
  failedAttempts: number;
}

/** A pod's contribution to the running counters and node allocation. */
interface Contribution {
  pending: boolean;
  running: boolean;
  node: NodeRec | undefined;
}

function trackedOf(list: Map<string, number>): Float64Array {
  const out = new Float64Array(R);
  for (let i = 0; i < R; i++) out[i] = list.get(TRACKED_RESOURCES[i]!) ?? 0;
  return out;
}

function sortedKeys(o: Record<string, unknown> | undefined): string[] {
  return o ? Object.keys(o).sort() : [];
}

function ratio(req: number, alloc: number): number {
  return alloc > 0 ? req / alloc : 0;
}

/**
 * Folds a run's event log (the vocabulary of engine/cluster/events.ts) into its reports. Feed every
 * entry in log order to {@link consume}, then call {@link finish} once with the trailer's facts.
 * Payload objects are never retained, so live entries that the engine mutates later are safe; record
 * keys are visited in sorted order, so a live fold and one over the re-read log (whose keys are
 * canonically sorted) give identical reports.
 */
export class ReportFold {
  #maxAttemptRows: number;
  #run: RunStartEvent | undefined;
  #t0: number | undefined;
  #bucketUs = DEFAULT_BUCKET_SECONDS * US_PER_SECOND;
  #now = 0;
  #endUs: number | undefined;
  #entries = 0;

  #pods = new Map<string, PodRec>();
  #podList: PodRec[] = [];
  #nodes = new Map<string, NodeRec>();
  #nodeList: NodeRec[] = [];

  #clusterAlloc = new Float64Array(R);
  #clusterReq = new Float64Array(R);
  #clusterIntegral = new Float64Array(R);
  #clusterPeak = new Float64Array(R);
  #present = new Uint8Array(R);
  #running = 0;
  #pending = 0;
  #buckets: Bucket[] = [];

  #attemptsTotal = 0;
  #attemptRows: AttemptRow[] = [];
  #attemptsDropped = 0;
  #reasons = new Map<string, ReasonCount>();
  #preempted = new Set<PodRec>();
  #quotaRejected = new Set<PodRec>();
  #skipped = 0;
  #finished = false;
  #evictions = 0;
  #createdBy = new Map<string, number>();
  #quotaRejections = 0;
  #leaderChanges = new Map<string, number>();
  #nodeFailures = 0;

  constructor(opts: ReportFoldOptions = {}) {
    this.#maxAttemptRows = opts.maxAttemptRows ?? DEFAULT_MAX_ATTEMPT_ROWS;
  }

  /** A log listener (`EventLog.listenEntries(fold.listener)`). */
  readonly listener = (entry: Readonly<LogEntry>): void => this.consume(entry);

  /** Folds one entry; entries must come in log order. */
  consume(entry: Readonly<LogEntry>): void {
    if (this.#finished) throw new Error('ReportFold: consume after finish');
    this.#entries++;
    if (this.#t0 === undefined) {
      this.#t0 = entry.time;
      this.#now = entry.time;
    }
    this.#advance(entry.time);
    const e = entry as unknown as Record<string, unknown>;
    switch (entry.type) {
      case EVENT.RUN_START: {
        const s = e as unknown as RunStartEvent;
        this.#run = {
          seed: String(s.seed),
          policy: String(s.policy),
          trace: String(s.trace),
          bucketSeconds: s.bucketSeconds,
        };
        if (s.bucketSeconds > 0) this.#bucketUs = Math.round(s.bucketSeconds * US_PER_SECOND);
        break;
      }
      case EVENT.RUN_END:
        this.#endUs = (e as unknown as RunEndEvent).untilUs;
        break;
      case EVENT.API:
        this.#api(e as unknown as ApiEvent);
        break;
      case EVENT.BIND: {
        const b = e as unknown as SchedBindEvent;
        this.#attemptsTotal++;
        const p = this.#pods.get(b.pod);
        if (!p) break;
        p.attempts++;
        p.gpus = b.gpus ? b.gpus.join(';') : '';
        this.#bind(p, b.node);
        break;
      }
      case EVENT.FAIL:
        this.#fail(e as unknown as SchedFailEvent);
        break;
      case EVENT.PREEMPT: {
        const pe = e as unknown as SchedPreemptEvent;
        for (const v of pe.victims ?? []) {
          const p = this.#pods.get(v);
          if (!p) continue;
          p.preemptions++;
          this.#preempted.add(p);
        }
        break;
      }
      case EVENT.START: {
        const p = this.#pods.get((e as unknown as KubeletEvent).pod);
        if (!p) break;
        p.startedUs ??= this.#now;
        this.#change(p, () => {
          p.running = true;
          p.terminal = false;
          p.phase = 'Running';
        });
        break;
      }
      case EVENT.FINISH:
      case EVENT.REJECT: {
        const k = e as unknown as KubeletEvent;
        const p = this.#pods.get(k.pod);
        if (!p) break;
        if (k.reason === 'Evicted') p.evictions++;
        this.#terminate(p, k.phase === 'Succeeded' ? 'Succeeded' : 'Failed');
        break;
      }
      case EVENT.RESTART: {
        const p = this.#pods.get((e as unknown as KubeletEvent).pod);
        if (p) p.restarts++;
        break;
      }
      case EVENT.ADMISSION_REJECT:
        this.#admissionReject(e as unknown as AdmissionRejectEvent);
        break;
      case EVENT.INPUT_SKIP:
        this.#skipped++;
        break;
      case CONTROL_EVENT.EVICT:
        this.#evictions++;
        break;
      case CONTROL_EVENT.LEADER: {
        const l = e as unknown as LeaderEvent;
        if (l.event === 'acquired')
          this.#leaderChanges.set(l.lease, (this.#leaderChanges.get(l.lease) ?? 0) + 1);
        break;
      }
      case CONTROL_EVENT.FAULT:
        if ((e as unknown as FaultEvent).fault === 'node-down') this.#nodeFailures++;
        break;
      default:
        break;
    }
  }

  /** Ends the fold at the run's end (the `run.end` entry, else the last entry) and builds the reports. */
  finish(trailer: RunTrailer): RunReport {
    if (this.#finished) throw new Error('ReportFold: finish called twice');
    const t0 = this.#t0 ?? 0;
    const end = Math.max(this.#endUs ?? this.#now, this.#now);
    this.#advance(end);
    this.#finished = true;
    const span = end - t0;
    for (let i = 0; i < R; i++) {
      const r = ratio(this.#clusterReq[i]!, this.#clusterAlloc[i]!);
      if (r > this.#clusterPeak[i]!) this.#clusterPeak[i] = r;
    }
    const idx = this.#presentIndexes();
    const resources = idx.map((i) => TRACKED_RESOURCES[i]!);
    const sec = (us: number | undefined): number | undefined =>
      us === undefined ? undefined : (us - t0) / US_PER_SECOND;

    const pods: PodRow[] = [];
    const pending: number[] = [];
    let scheduled = 0;
    let unschedulable = 0;
    let succeeded = 0;
    let failed = 0;
    for (const p of this.#podList) {
      let pendingSeconds: number | undefined;
      if (p.createdUs !== undefined) {
        const until = p.scheduledUs ?? Math.min(p.deletedUs ?? end, end);
        pendingSeconds = (until - p.createdUs) / US_PER_SECOND;
        pending.push(pendingSeconds);
        if (p.deletedUs === undefined && !p.terminal && p.node === undefined) unschedulable++;
      }
      if (p.scheduledUs !== undefined) scheduled++;
      if (p.phase === 'Succeeded') succeeded++;
      if (p.phase === 'Failed') failed++;
      pods.push({
        namespace: p.namespace,
        name: p.name,
        ownerKind: p.ownerKind,
        ownerName: p.ownerName,
        created: sec(p.createdUs),
        scheduled: sec(p.scheduledUs),
        node: p.lastNodeName,
        started: sec(p.startedUs),
        finished: sec(p.finishedUs),
        deleted: sec(p.deletedUs),
        phase: p.phase,
        attempts: p.attempts,
        pendingSeconds,
        cpuMilli: p.requests[0]!,
        memoryMiB: p.requests[1]! / MIB,
        gpu: p.requests[2]!,
        gpuMilli: p.requests[3]!,
        gpus: p.gpus,
        quotaRejections: p.quotaRejections,
        preemptions: p.preemptions,
        evictions: p.evictions,
        restarts: p.restarts,
      });
    }
    pending.sort((a, b) => a - b);

    const nodes: NodeRow[] = this.#nodeList.map((n) => {
      const until = n.deletedUs ?? end;
      this.#touchNode(n, until);
      for (let i = 0; i < R; i++) {
        const r = ratio(n.requested[i]!, n.alloc[i]!);
        if (r > n.peak[i]!) n.peak[i] = r;
      }
      const life = until - n.createdUs;
      const allocatable: Record<string, number> = {};
      const allocation: Record<string, Utilization> = {};
      for (const i of idx) {
        const name = TRACKED_RESOURCES[i]!;
        allocatable[name] = n.alloc[i]!;
        const mean = life > 0 ? n.integral[i]! / life : ratio(n.requested[i]!, n.alloc[i]!);
        allocation[name] = { mean: round6(mean), peak: round6(n.peak[i]!) };
      }
      return {
        name: n.name,
        created: sec(n.createdUs)!,
        deleted: sec(n.deletedUs),
        gpuModel: n.gpuModel,
        zone: n.zone,
        allocatable,
        podsBound: n.podsBound,
        allocation,
      };
    });

    // Buckets cover [t0, end); entries stamped exactly `end` count in the last one.
    const nBuckets = Math.max(1, Math.ceil(span / this.#bucketUs));
    const last = this.#bucket(nBuckets - 1);
    for (const extra of this.#buckets.splice(nBuckets)) {
      last.bound += extra.bound;
      last.created += extra.created;
      last.failedAttempts += extra.failedAttempts;
    }
    last.closed = false;
    const timeseries: BucketRow[] = this.#buckets.map((b, k) => {
      const startUs = t0 + k * this.#bucketUs;
      const endUs = Math.min(startUs + this.#bucketUs, end);
      const covered = endUs - startUs;
      const allocation: Record<string, number> = {};
      for (const i of idx) {
        allocation[TRACKED_RESOURCES[i]!] = round6(
          covered > 0 ? b.integral[i]! / covered : ratio(this.#clusterReq[i]!, this.#clusterAlloc[i]!),
        );
      }
      return {
        startSeconds: (startUs - t0) / US_PER_SECOND,
        endSeconds: (endUs - t0) / US_PER_SECOND,
        allocation,
        running: b.closed ? b.running : this.#running,
        pending: b.closed ? b.pending : this.#pending,
        bound: b.bound,
        created: b.created,
        failedAttempts: b.failedAttempts,
      };
    });

    const utilization: Record<string, Utilization> = {};
    for (const i of idx) {
      const mean =
        span > 0 ? this.#clusterIntegral[i]! / span : ratio(this.#clusterReq[i]!, this.#clusterAlloc[i]!);
      utilization[TRACKED_RESOURCES[i]!] = { mean: round6(mean), peak: round6(this.#clusterPeak[i]!) };
    }
    const wall = trailer.wallSeconds;
    return {
      run: this.#run
        ? { ...this.#run, bucketSeconds: this.#bucketUs / US_PER_SECOND }
        : { seed: '', policy: '', trace: '', bucketSeconds: this.#bucketUs / US_PER_SECOND },
      resources,
      summary: {
        eventLogSha256: trailer.eventLogSha256,
        events: trailer.events ?? this.#entries,
        virtualSeconds: round6(span / US_PER_SECOND),
        wallSeconds: round6(wall),
        nodes: this.#nodeList.length,
        podsSubmitted: this.#podList.length,
        podsScheduled: scheduled,
        podsUnschedulable: unschedulable,
        podsPreempted: this.#preempted.size,
        podsRejectedByQuota: this.#quotaRejected.size,
        podsSucceeded: succeeded,
        podsFailed: failed,
        schedulingAttempts: this.#attemptsTotal,
        decisionsPerSecond: wall > 0 ? round6(this.#attemptsTotal / wall) : 0,
        invalidSkipped: this.#skipped,
        pendingSeconds: {
          p50: round6(nearestRank(pending, 50)),
          p90: round6(nearestRank(pending, 90)),
          p99: round6(nearestRank(pending, 99)),
          max: round6(nearestRank(pending, 100)),
        },
        utilization,
      },
      pods,
      nodes,
      timeseries,
      attempts: this.#attemptRows,
      attemptsDropped: this.#attemptsDropped,
      reasons: [...this.#reasons.values()],
      controlPlane: this.#controlPlane(),
    };
  }

  #controlPlane(): ControlPlaneCounts {
    const createdBy: Record<string, number> = {};
    let total = 0;
    for (const kind of [...CONTROLLER_OWNER_KINDS, 'Other']) createdBy[kind] = 0;
    for (const [kind, n] of this.#createdBy) {
      const k = (CONTROLLER_OWNER_KINDS as readonly string[]).includes(kind) ? kind : 'Other';
      createdBy[k]! += n;
      total += n;
    }
    return {
      evictions: this.#evictions,
      podsCreatedByControllers: total,
      createdBy,
      quotaRejections: this.#quotaRejections,
      leaderChangesScheduler: this.#leaderChanges.get('kube-scheduler') ?? 0,
      leaderChangesControllerManager: this.#leaderChanges.get('kube-controller-manager') ?? 0,
      nodeFailures: this.#nodeFailures,
    };
  }

  #presentIndexes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < R; i++) if (this.#present[i]) out.push(i);
    return out;
  }

  #bucket(k: number): Bucket {
    while (this.#buckets.length <= k) {
      this.#buckets.push({
        integral: new Float64Array(R),
        running: 0,
        pending: 0,
        closed: false,
        bound: 0,
        created: 0,
        failedAttempts: 0,
      });
    }
    return this.#buckets[k]!;
  }

  #currentBucket(): Bucket {
    return this.#bucket(this.#indexOf(this.#now));
  }

  /** The bucket index of time `t`, first coarsening the buckets if `t` lies past {@link MAX_BUCKETS}. */
  #indexOf(t: number): number {
    if (this.#t0 === undefined) return 0;
    for (;;) {
      const k = Math.floor((t - this.#t0!) / this.#bucketUs);
      if (k < MAX_BUCKETS) return k;
      this.#coarsen();
    }
  }

  /** Merges buckets pairwise and doubles the width (integrals add; end-of-bucket counts come from the later one). */
  #coarsen(): void {
    const old = this.#buckets;
    const merged: Bucket[] = [];
    for (let j = 0; 2 * j < old.length; j++) {
      const a = old[2 * j]!;
      const b = old[2 * j + 1];
      if (!b) {
        merged.push({ ...a, closed: false });
        continue;
      }
      const integral = new Float64Array(R);
      for (let i = 0; i < R; i++) integral[i] = a.integral[i]! + b.integral[i]!;
      merged.push({
        integral,
        running: b.running,
        pending: b.pending,
        closed: b.closed,
        bound: a.bound + b.bound,
        created: a.created + b.created,
        failedAttempts: a.failedAttempts + b.failedAttempts,
      });
    }
    this.#buckets = merged;
    this.#bucketUs *= 2;
  }

  /** Moves virtual time to `t`, integrating the cluster's allocation over the elapsed stretch. */
  #advance(t: number): void {
    if (t <= this.#now) {
      if (this.#buckets.length === 0) this.#currentBucket();
      return;
    }
    const t0 = this.#t0!;
    const ratios = new Float64Array(R);
    for (let i = 0; i < R; i++) {
      ratios[i] = ratio(this.#clusterReq[i]!, this.#clusterAlloc[i]!);
      if (ratios[i]! > this.#clusterPeak[i]!) this.#clusterPeak[i] = ratios[i]!;
    }
    while (this.#now < t) {
      const k = this.#indexOf(this.#now);
      const bEnd = t0 + (k + 1) * this.#bucketUs;
      const seg = Math.min(t, bEnd);
      const dt = seg - this.#now;
      const b = this.#bucket(k);
      for (let i = 0; i < R; i++) {
        b.integral[i] = b.integral[i]! + ratios[i]! * dt;
        this.#clusterIntegral[i] = this.#clusterIntegral[i]! + ratios[i]! * dt;
      }
      if (seg === bEnd) {
        b.running = this.#running;
        b.pending = this.#pending;
        b.closed = true;
      }
      this.#now = seg;
    }
    this.#currentBucket();
  }

  #api(a: ApiEvent): void {
    if (a.kind === 'Node') this.#nodeApi(a);
    else if (a.kind === 'Pod') {
      if (a.verb === 'create') {
        const ref = (a.object as Pod).metadata?.ownerReferences?.find((r) => r.controller === true);
        if (ref) this.#createdBy.set(ref.kind, (this.#createdBy.get(ref.kind) ?? 0) + 1);
      }
      this.#podApi(a);
    }
  }

  #nodeApi(a: ApiEvent): void {
    const obj = a.object as KObject & { status?: { allocatable?: Record<string, unknown> } };
    const name = a.key;
    let n = this.#nodes.get(name);
    if (a.verb === 'delete') {
      if (!n || !n.alive) return;
      this.#touchNode(n, this.#now);
      n.alive = false;
      n.deletedUs = this.#now;
      for (let i = 0; i < R; i++) {
        this.#clusterAlloc[i] = this.#clusterAlloc[i]! - n.alloc[i]!;
        this.#clusterReq[i] = this.#clusterReq[i]! - n.requested[i]!;
      }
      return;
    }
    const alloc = trackedOf(nodeAllocatable(obj));
    const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
    const model = GPU_MODEL_LABELS.map((l) => labels[l]).find((v) => v !== undefined) ?? '';
    if (!n || !n.alive) {
      n = {
        name,
        createdUs: this.#now,
        deletedUs: undefined,
        alive: true,
        gpuModel: model,
        zone: labels[ZONE_LABEL] ?? '',
        alloc: new Float64Array(R),
        requested: new Float64Array(R),
        integral: new Float64Array(R),
        peak: new Float64Array(R),
        lastUs: this.#now,
        podsBound: 0,
      };
      this.#nodes.set(name, n);
      this.#nodeList.push(n);
    } else {
      this.#touchNode(n, this.#now);
      n.gpuModel = model;
      n.zone = labels[ZONE_LABEL] ?? '';
    }
    for (let i = 0; i < R; i++) {
      this.#clusterAlloc[i] = this.#clusterAlloc[i]! - n.alloc[i]! + alloc[i]!;
      if (alloc[i]! > 0) this.#present[i] = 1;
    }
    n.alloc = alloc;
  }

  #podApi(a: ApiEvent): void {
    const key = a.key;
    let p = this.#pods.get(key);
    if (a.verb === 'delete') {
      if (!p || p.deletedUs !== undefined || p.createdUs === undefined) return;
      this.#change(p, () => {
        p!.deletedUs = this.#now;
      });
      return;
    }
    const pod = a.object as Pod | undefined;
    if (!p || p.deletedUs !== undefined) {
      p = this.#newPod(key, pod);
    } else if (p.createdUs === undefined && pod) {
      this.#describe(p, pod);
    }
    if (pod) {
      p.objNodeName = pod.spec?.nodeName;
      p.objPhase = pod.status?.phase;
    } else if (a.patch) {
      p.objNodeName = patched(a.patch, 'spec', 'nodeName', p.objNodeName);
      p.objPhase = patched(a.patch, 'status', 'phase', p.objPhase);
    }
    if (p.createdUs === undefined) {
      const q = p;
      this.#change(q, () => {
        q.createdUs = this.#now;
        if (q.phase === 'Rejected') q.phase = 'Pending';
      });
      this.#currentBucket().created++;
    }
    // A bound pod's nodeName never changes in Kubernetes: only a first nodeName is news (a pod
    // created bound, or a bind seen only as a store update). Re-binds come as `sched.bind`.
    const nodeName = p.objNodeName;
    if (nodeName && p.node === undefined) this.#bind(p, nodeName);
    const phase = p.objPhase;
    if (phase === 'Succeeded' || phase === 'Failed') this.#terminate(p, phase);
    else if (phase === 'Running' && !p.running && p.node !== undefined) {
      p.startedUs ??= this.#now;
      const q = p;
      this.#change(q, () => {
        q.running = true;
        q.terminal = false;
        q.phase = 'Running';
      });
    }
  }

  #newPod(key: string, pod: Pod | undefined): PodRec {
    const slash = key.indexOf('/');
    const p: PodRec = {
      namespace: slash >= 0 ? key.slice(0, slash) : '',
      name: slash >= 0 ? key.slice(slash + 1) : key,
      ownerKind: '',
      ownerName: '',
      createdUs: undefined,
      scheduledUs: undefined,
      startedUs: undefined,
      finishedUs: undefined,
      deletedUs: undefined,
      node: undefined,
      lastNodeName: '',
      phase: 'Rejected',
      running: false,
      terminal: false,
      attempts: 0,
      requests: new Float64Array(R),
      gpus: '',
      quotaRejections: 0,
      preemptions: 0,
      evictions: 0,
      restarts: 0,
      objNodeName: undefined,
      objPhase: undefined,
    };
    if (pod) this.#describe(p, pod);
    this.#pods.set(key, p);
    this.#podList.push(p);
    return p;
  }

  #describe(p: PodRec, pod: Pod): void {
    const refs = pod.metadata?.ownerReferences ?? [];
    const owner = refs.find((r) => r.controller) ?? refs[0];
    p.ownerKind = owner?.kind ?? '';
    p.ownerName = owner?.name ?? '';
    p.requests = trackedOf(podRequests(pod));
  }

  #admissionReject(r: AdmissionRejectEvent): void {
    // The API server's refusal is FORBIDDEN with "exceeded quota: …" in its message.
    if (!/quota/i.test(`${r.reason}`) && !/exceeded quota/i.test(`${r.message}`)) return;
    this.#quotaRejections++;
    if (r.kind !== 'Pod') return;
    let p = this.#pods.get(r.key);
    if (!p || p.deletedUs !== undefined) p = this.#newPod(r.key, undefined);
    p.quotaRejections++;
    this.#quotaRejected.add(p);
  }

  #fail(f: SchedFailEvent): void {
    this.#attemptsTotal++;
    this.#currentBucket().failedAttempts++;
    const p = this.#pods.get(f.pod);
    if (p) p.attempts++;
    const rows: Array<[string, string, number]> = [];
    for (const plugin of sortedKeys(f.reasons)) {
      const byReason = f.reasons[plugin]!;
      for (const reason of sortedKeys(byReason)) rows.push([plugin, reason, byReason[reason]!]);
    }
    if (rows.length === 0) rows.push(['', f.message ?? '', 0]);
    for (const [plugin, reason, nodes] of rows) {
      const key = `${plugin}\u0000${reason}`;
      let rc = this.#reasons.get(key);
      if (!rc) this.#reasons.set(key, (rc = { plugin, reason, attempts: 0, nodes: 0 }));
      rc.attempts++;
      rc.nodes += nodes;
    }
    if (this.#attemptRows.length >= this.#maxAttemptRows) {
      this.#attemptsDropped++;
      return;
    }
    const time = (this.#now - this.#t0!) / US_PER_SECOND;
    for (const [plugin, reason, nodes] of rows) {
      this.#attemptRows.push({ pod: f.pod, attempt: f.attempt, time, code: f.code, plugin, reason, nodes });
    }
  }

  #contribution(p: PodRec): Contribution {
    const live = p.createdUs !== undefined && p.deletedUs === undefined && !p.terminal;
    return {
      pending: live && p.node === undefined,
      running: live && p.node !== undefined && p.running,
      node: live ? p.node : undefined,
    };
  }

  /** Applies `mutate` to a pod and moves its counters and node allocation from the old state to the new. */
  #change(p: PodRec, mutate: () => void): void {
    const before = this.#contribution(p);
    mutate();
    const after = this.#contribution(p);
    this.#pending += Number(after.pending) - Number(before.pending);
    this.#running += Number(after.running) - Number(before.running);
    if (before.node !== after.node) {
      if (before.node) this.#allocate(before.node, p.requests, -1);
      if (after.node) this.#allocate(after.node, p.requests, +1);
    }
  }

  #allocate(n: NodeRec, req: Float64Array, sign: 1 | -1): void {
    this.#touchNode(n, this.#now);
    for (let i = 0; i < R; i++) {
      n.requested[i] = n.requested[i]! + sign * req[i]!;
      if (n.alive) this.#clusterReq[i] = this.#clusterReq[i]! + sign * req[i]!;
    }
  }

  /** Integrates a node's allocation ratio up to `t` (its state held since `lastUs`). */
  #touchNode(n: NodeRec, t: number): void {
    const dt = t - n.lastUs;
    if (dt <= 0) return;
    for (let i = 0; i < R; i++) {
      const r = ratio(n.requested[i]!, n.alloc[i]!);
      n.integral[i] = n.integral[i]! + r * dt;
      if (r > n.peak[i]!) n.peak[i] = r;
    }
    n.lastUs = t;
  }

  #bind(p: PodRec, nodeName: string): void {
    const n = this.#nodes.get(nodeName);
    if (p.node !== undefined && p.node === n && !p.terminal) return;
    if (!n) return;
    p.scheduledUs ??= this.#now;
    p.lastNodeName = nodeName;
    n.podsBound++;
    this.#currentBucket().bound++;
    this.#change(p, () => {
      p.node = n;
      p.running = false;
      p.terminal = false;
      p.phase = 'Pending';
    });
  }

  #terminate(p: PodRec, phase: 'Succeeded' | 'Failed'): void {
    if (p.terminal && p.phase === phase) return;
    p.finishedUs = this.#now;
    this.#change(p, () => {
      p.terminal = true;
      p.running = false;
      p.phase = phase;
    });
  }
}

/** `object[section][field]` after a merge patch, given its value before (null in a patch = removed). */
function patched(
  patch: Record<string, unknown>,
  section: string,
  field: string,
  before: string | undefined,
): string | undefined {
  if (!(section in patch)) return before;
  const sec = patch[section];
  if (sec === null || typeof sec !== 'object') return undefined;
  if (!(field in sec)) return before;
  const v = (sec as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : undefined;
}
