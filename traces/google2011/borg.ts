/**
 * The Borg lifecycle shared by the Google 2011 and 2019 readers: both traces describe machines,
 * machine attributes, jobs (collections) and tasks (instances) as timed events; each reader parses its
 * own rows into {@link BorgEvent}s and this mapper turns them into Kubernetes API calls, holding state
 * for live machines, live jobs and their tasks only.
 */
import type { KObject } from '../../engine/api/types.js';
import { DEFAULT_MAX_PODS, makeNode, refOf, TRACE_IMAGE } from '../objects.js';
import type { TraceRecord } from '../types.js';

/** The documented size of a normalised 1.0 machine: Borg normalises to its largest machine. */
export const BORG_MACHINE_CPU_MILLI = 64_000;
/** 1.0 normalised memory = 256 GiB. */
export const BORG_MACHINE_MEMORY_MIB = 262_144;
/** Label prefix of machine attributes (node labels) and of the constraints that select them. */
export const ATTR_LABEL_PREFIX = 'attr.kreplay.io/';
/** Pod/Job label naming the trace job a pod belongs to. */
export const JOB_LABEL = 'kreplay.io/job';
/** Set on Jobs whose pods are created by the trace itself: a job controller must not create pods for them. */
export const ANN_PODS_FROM_TRACE = 'kreplay.io/pods-from-trace';
/** The trace object a pod belongs to (`Job/<name>`, `Deployment/<name>`), without ownerReferences. */
export const ANN_OWNER = 'kreplay.io/owner';
/** Comma-separated Jobs that must end before this one starts (a DAG edge kept for controllers/reports). */
export const ANN_DEPENDS_ON = 'kreplay.io/depends-on';
/** Per-node cap of a job's tasks, as the trace says it (2019 `max_per_machine`). */
export const ANN_MAX_PER_MACHINE = 'kreplay.io/max-per-machine';

/** A machine constraint relation, as 2019 spells them (2011 uses the first four). */
export type Relation = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'present' | 'absent';

/** One constraint of a task on a machine attribute. */
export interface BorgConstraint {
  readonly name: string;
  readonly value: string;
  readonly relation: Relation;
}

/** A task/instance event kind after mapping the format's event type. */
export type TaskEventKind = 'submit' | 'schedule' | 'evict' | 'end' | 'update' | 'other';

/** The events the mapper consumes (each reader maps its own columns to these). */
export type BorgEvent =
  | {
      readonly t: 'machine';
      readonly timeUs: number;
      readonly op: 'add' | 'remove' | 'update';
      readonly machineId: string;
      /** Normalised capacity; undefined = not given (UPDATE keeps the old value, ADD uses 0). */
      readonly cpu: number | undefined;
      readonly memory: number | undefined;
      readonly platform: string;
    }
  | {
      readonly t: 'attr';
      readonly timeUs: number;
      readonly machineId: string;
      readonly name: string;
      readonly value: string;
      readonly deleted: boolean;
    }
  | {
      readonly t: 'job';
      readonly timeUs: number;
      readonly kind: TaskEventKind;
      readonly jobId: string;
      readonly schedulingClass: number | undefined;
      readonly priority: number | undefined;
      readonly name: string;
      /** 2019: the collection is an alloc set (reserved room), not a job. */
      readonly allocSet: boolean;
      readonly maxPerMachine: number | undefined;
      readonly startAfter: readonly string[];
      readonly parentId: string | undefined;
    }
  | {
      readonly t: 'constraint';
      readonly timeUs: number;
      readonly jobId: string;
      readonly index: number;
      readonly constraint: BorgConstraint;
    }
  | {
      readonly t: 'task';
      readonly timeUs: number;
      readonly kind: TaskEventKind;
      /** The format's own name of the event (FINISH, FAIL, ...), for counts. */
      readonly typeName: string;
      readonly jobId: string;
      readonly index: number;
      readonly schedulingClass: number | undefined;
      readonly priority: number | undefined;
      readonly cpu: number | undefined;
      readonly memory: number | undefined;
      readonly disk: number | undefined;
      readonly differentMachines: boolean;
      /** 2019: constraints come on the instance event itself. */
      readonly constraints: readonly BorgConstraint[] | undefined;
      /** 2019: the alloc set the instance runs in, if any. */
      readonly allocCollection: string | undefined;
    };

/** Naming and scale of the format being mapped. */
export interface BorgFormat {
  /** `google2011` or `google2019`: prefixes PriorityClass names. */
  readonly format: string;
  /** Priorities that get a PriorityClass at t=0 (2011: 0..11); others are created when first seen. */
  readonly priorities: readonly number[];
  /** Priorities below this never preempt (the free tier). */
  readonly freeBelow: number;
}

const LABEL_CHARS = /[^A-Za-z0-9_.-]/g;

/**
 * Makes a label name or value out of a trace string: characters outside `[A-Za-z0-9_.-]` become `_`, a
 * leading or trailing non-alphanumeric gets an `x` beside it, and the result is cut to 63 characters.
 * Node labels and the constraints that select them go through the same function, so they still match.
 */
export function labelSafe(s: string): string {
  if (s === '') return '';
  let v = s.replace(LABEL_CHARS, '_');
  if (!/^[A-Za-z0-9]/.test(v)) v = `x${v}`;
  if (v.length > 63) v = v.slice(0, 63);
  if (!/[A-Za-z0-9]$/.test(v)) v = `${v.slice(0, 62)}x`;
  return v;
}

/** Node name of a machine id. */
export function machineName(id: string): string {
  return `machine-${id}`;
}

/** Job name of a job/collection id. */
export function jobName(id: string): string {
  return `job-${id}`;
}

/** Pod name of a task: the first incarnation `job-<id>-<index>`, re-creations `...-<index>-<n>`. */
export function taskPodName(jobId: string, index: number, incarnation: number): string {
  return incarnation === 0 ? `job-${jobId}-${index}` : `job-${jobId}-${index}-${incarnation}`;
}

/** Deterministic uid of a trace Job (a run's store keeps uids from the input). */
function jobUid(format: string, id: string): string {
  return `${format}-job-${id}`;
}

interface MachineState {
  cpuMilli: number;
  memoryMib: number;
  platform: string;
  labels: Record<string, string>;
  /** Created in the store (a create was emitted). */
  live: boolean;
  /** Needs a create (not live) or an update (live) at the next flush. */
  dirty: boolean;
}

interface TaskState {
  incarnation: number;
  /** The live pod's identity, or undefined when the task has no pod now. */
  pod: KObject | undefined;
  constraints: BorgConstraint[] | undefined;
}

interface JobState {
  created: boolean;
  uid: string;
  /** jobName of the id. */
  name: string;
  /** `Job/<name>`, the owner annotation of its pods (made when first needed). */
  owner: string | undefined;
  tasks: Map<number, TaskState>;
  maxPerMachine: number | undefined;
  startAfter: readonly string[];
  allocSet: boolean;
}

/** Data-dependent counts, turned into loss notes at the end. */
export interface BorgCounts {
  schedules: number;
  evictions: number;
  ends: Record<string, number>;
  updatesIgnored: number;
  duplicateSubmits: number;
  orphanEvents: number;
  machinesWithoutCapacity: number;
  tasksWithoutRequest: number;
  afterTrace: number;
  allocSets: number;
  allocInstances: number;
  unknownConstraintMachines: number;
}

/** Map of a Borg trace's events to API calls (see docs/traces.md). */
export class BorgMapper {
  readonly counts: BorgCounts = {
    schedules: 0,
    evictions: 0,
    ends: {},
    updatesIgnored: 0,
    duplicateSubmits: 0,
    orphanEvents: 0,
    machinesWithoutCapacity: 0,
    tasksWithoutRequest: 0,
    afterTrace: 0,
    allocSets: 0,
    allocInstances: 0,
    unknownConstraintMachines: 0,
  };
  readonly #fmt: BorgFormat;
  readonly #machines = new Map<string, MachineState>();
  readonly #dirty = new Set<string>();
  readonly #jobs = new Map<string, JobState>();
  readonly #priorityClasses = new Set<number>();
  /** Jobs ended at #endedAt: their tasks' own end events at that same time are not orphans. */
  readonly #endedNow = new Set<string>();
  #endedAt = -1;
  /** One-entry caches of request and disk texts (see #cpuText). */
  #lastCpu = NaN;
  #lastCpuText = '';
  #lastMemory = NaN;
  #lastMemoryText = '';
  #lastDisk = NaN;
  #lastDiskText = '';

  constructor(fmt: BorgFormat) {
    this.#fmt = fmt;
  }

  /** The PriorityClasses created at t=0, before any other record. */
  start(out: TraceRecord[]): void {
    for (const p of this.#fmt.priorities) this.#priorityClass(0, p, out);
  }

  /** Maps one event, appending its records to `out` (node creates/updates are coalesced until flush). */
  handle(ev: BorgEvent, out: TraceRecord[]): void {
    switch (ev.t) {
      case 'machine':
        this.#machine(ev, out);
        return;
      case 'attr':
        this.#attr(ev);
        return;
      case 'job':
        this.flush(ev.timeUs, out);
        this.#job(ev, out);
        return;
      case 'constraint': {
        const task = this.#task(ev.jobId, ev.index);
        (task.constraints ??= []).push(ev.constraint);
        return;
      }
      case 'task':
        this.flush(ev.timeUs, out);
        this.#taskEvent(ev, out);
        return;
      default: {
        const never: never = ev;
        throw new Error(`unknown event ${String(never)}`);
      }
    }
  }

  /**
   * Emits the pending node creates/updates at `timeUs`: all attribute rows of one time go out as one
   * create or update per node, and always before any pod of that time.
   */
  flush(timeUs: number, out: TraceRecord[]): void {
    if (this.#dirty.size === 0) return;
    for (const id of this.#dirty) {
      const m = this.#machines.get(id);
      if (!m || !m.dirty) continue;
      m.dirty = false;
      const node = this.#nodeObject(id, m);
      out.push({ timeUs, op: m.live ? 'update' : 'create', object: node });
      m.live = true;
    }
    this.#dirty.clear();
  }

  #nodeObject(id: string, m: MachineState): KObject {
    const name = machineName(id);
    const labels: Record<string, string> = { ...m.labels };
    if (m.platform) labels['kreplay.io/platform'] = labelSafe(m.platform);
    return makeNode(
      name,
      { cpu: `${m.cpuMilli}m`, memory: `${m.memoryMib}Mi`, pods: DEFAULT_MAX_PODS },
      labels,
    );
  }

  #machine(ev: Extract<BorgEvent, { t: 'machine' }>, out: TraceRecord[]): void {
    let m = this.#machines.get(ev.machineId);
    if (ev.op === 'remove') {
      if (!m || (!m.live && !m.dirty)) {
        this.counts.orphanEvents++;
        return;
      }
      this.flush(ev.timeUs, out);
      if (m.live)
        out.push({ timeUs: ev.timeUs, op: 'delete', object: refOf(this.#nodeObject(ev.machineId, m)) });
      m.live = false;
      m.dirty = false;
      return;
    }
    if (!m) {
      m = { cpuMilli: 0, memoryMib: 0, platform: '', labels: {}, live: false, dirty: false };
      this.#machines.set(ev.machineId, m);
    }
    if (ev.op === 'add' && (ev.cpu === undefined || ev.memory === undefined))
      this.counts.machinesWithoutCapacity++;
    if (ev.cpu !== undefined) m.cpuMilli = Math.round(ev.cpu * BORG_MACHINE_CPU_MILLI);
    else if (ev.op === 'add' && !m.live) m.cpuMilli = 0;
    if (ev.memory !== undefined) m.memoryMib = Math.round(ev.memory * BORG_MACHINE_MEMORY_MIB);
    else if (ev.op === 'add' && !m.live) m.memoryMib = 0;
    if (ev.platform) m.platform = ev.platform;
    if (ev.op === 'update' && !m.live && !m.dirty) {
      // An update of a machine the trace never added (it was there before the trace): add it.
      this.counts.orphanEvents++;
    }
    m.dirty = true;
    this.#dirty.add(ev.machineId);
  }

  #attr(ev: Extract<BorgEvent, { t: 'attr' }>): void {
    let m = this.#machines.get(ev.machineId);
    if (!m) {
      // Attributes may come before the machine's ADD: keep them for when it is added.
      m = { cpuMilli: 0, memoryMib: 0, platform: '', labels: {}, live: false, dirty: false };
      this.#machines.set(ev.machineId, m);
    }
    const key = ATTR_LABEL_PREFIX + labelSafe(ev.name);
    const value = labelSafe(ev.value);
    if (ev.deleted) {
      if (!(key in m.labels)) return;
      delete m.labels[key];
    } else {
      if (m.labels[key] === value) return;
      m.labels[key] = value;
    }
    if (m.live) {
      m.dirty = true;
      this.#dirty.add(ev.machineId);
    }
  }

  #priorityClass(timeUs: number, p: number, out: TraceRecord[]): string {
    const name = `${this.#fmt.format}-priority-${p}`;
    if (!this.#priorityClasses.has(p)) {
      this.#priorityClasses.add(p);
      out.push({
        timeUs,
        op: 'create',
        object: {
          apiVersion: 'scheduling.k8s.io/v1',
          kind: 'PriorityClass',
          metadata: { name },
          value: p,
          globalDefault: false,
          preemptionPolicy: p < this.#fmt.freeBelow ? 'Never' : 'PreemptLowerPriority',
          description: `Borg priority ${p} of the ${this.#fmt.format} trace`,
        } as KObject,
      });
    }
    return name;
  }

  #jobState(jobId: string): JobState {
    let j = this.#jobs.get(jobId);
    if (!j) {
      j = {
        created: false,
        uid: jobUid(this.#fmt.format, jobId),
        name: jobName(jobId),
        owner: undefined,
        tasks: new Map(),
        maxPerMachine: undefined,
        startAfter: [],
        allocSet: false,
      };
      this.#jobs.set(jobId, j);
    }
    return j;
  }

  #task(jobId: string, index: number): TaskState {
    return this.#taskOf(this.#jobState(jobId), index);
  }

  #taskOf(j: JobState, index: number): TaskState {
    let t = j.tasks.get(index);
    if (!t) {
      t = { incarnation: -1, pod: undefined, constraints: undefined };
      j.tasks.set(index, t);
    }
    return t;
  }

  #job(ev: Extract<BorgEvent, { t: 'job' }>, out: TraceRecord[]): void {
    if (ev.kind === 'submit') {
      const j = this.#jobState(ev.jobId);
      if (j.created) {
        this.counts.duplicateSubmits++;
        return;
      }
      j.created = true;
      j.maxPerMachine = ev.maxPerMachine;
      j.startAfter = ev.startAfter;
      j.allocSet = ev.allocSet;
      if (ev.allocSet) {
        // An alloc set reserves room for other collections' instances: Kubernetes has no such object.
        this.counts.allocSets++;
        return;
      }
      const name = j.name;
      const labels: Record<string, string> = { [JOB_LABEL]: name };
      if (ev.schedulingClass !== undefined)
        labels['kreplay.io/scheduling-class'] = String(ev.schedulingClass);
      const annotations: Record<string, string> = { [ANN_PODS_FROM_TRACE]: 'true' };
      if (ev.name) annotations['kreplay.io/trace-job-name'] = ev.name;
      if (ev.startAfter.length > 0) annotations[ANN_DEPENDS_ON] = ev.startAfter.map(jobName).join(',');
      if (ev.maxPerMachine !== undefined) annotations[ANN_MAX_PER_MACHINE] = String(ev.maxPerMachine);
      if (ev.parentId !== undefined) annotations['kreplay.io/trace-parent'] = jobName(ev.parentId);
      out.push({
        timeUs: ev.timeUs,
        op: 'create',
        object: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name, namespace: 'default', uid: j.uid, labels, annotations },
          spec: {
            // parallelism 0: the Job controller creates no pods for it (the trace does).
            parallelism: 0,
            manualSelector: true,
            selector: { matchLabels: { [JOB_LABEL]: name } },
            template: {
              metadata: { labels: { [JOB_LABEL]: name } },
              spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: TRACE_IMAGE }] },
            },
          },
        } as KObject,
      });
      return;
    }
    if (ev.kind === 'end') {
      const j = this.#jobs.get(ev.jobId);
      if (!j) {
        this.counts.orphanEvents++;
        return;
      }
      // Tasks still live when their job ends end with it (Borg kills them).
      for (const t of j.tasks.values()) {
        if (t.pod) out.push({ timeUs: ev.timeUs, op: 'delete', object: t.pod });
      }
      if (j.created && !j.allocSet) {
        out.push({
          timeUs: ev.timeUs,
          op: 'delete',
          object: {
            apiVersion: 'batch/v1',
            kind: 'Job',
            metadata: { name: j.name, namespace: 'default' },
          },
        });
      }
      this.#jobs.delete(ev.jobId);
      if (ev.timeUs !== this.#endedAt) {
        this.#endedNow.clear();
        this.#endedAt = ev.timeUs;
      }
      this.#endedNow.add(ev.jobId);
      return;
    }
    if (ev.kind === 'update') this.counts.updatesIgnored++;
  }

  #taskEvent(ev: Extract<BorgEvent, { t: 'task' }>, out: TraceRecord[]): void {
    if (ev.allocCollection !== undefined && ev.kind === 'submit') this.counts.allocInstances++;
    switch (ev.kind) {
      case 'submit': {
        const job = this.#jobState(ev.jobId);
        const task = this.#taskOf(job, ev.index);
        if (task.pod) {
          this.counts.duplicateSubmits++;
          return;
        }
        task.incarnation++;
        const pod = this.#pod(ev, job, task, out);
        // refOf(pod), built directly.
        task.pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: pod.metadata!.name, namespace: 'default' },
        } as KObject;
        out.push({ timeUs: ev.timeUs, op: 'create', object: pod });
        return;
      }
      case 'schedule':
        this.counts.schedules++;
        return;
      case 'evict':
      case 'end': {
        const task = this.#jobs.get(ev.jobId)?.tasks.get(ev.index);
        if (ev.kind === 'evict') this.counts.evictions++;
        else this.counts.ends[ev.typeName] = (this.counts.ends[ev.typeName] ?? 0) + 1;
        if (!task?.pod) {
          if (!(ev.timeUs === this.#endedAt && this.#endedNow.has(ev.jobId))) this.counts.orphanEvents++;
          return;
        }
        out.push({ timeUs: ev.timeUs, op: 'delete', object: task.pod });
        task.pod = undefined;
        return;
      }
      case 'update':
        this.counts.updatesIgnored++;
        return;
      case 'other':
        return;
      default: {
        const never: never = ev.kind;
        throw new Error(`unknown task event ${String(never)}`);
      }
    }
  }

  /** `n` as a string, through a one-entry cache (consecutive tasks of a job ask for the same values). */
  #cpuText(n: number): string {
    if (n !== this.#lastCpu) {
      this.#lastCpu = n;
      this.#lastCpuText = `${Math.round(n * BORG_MACHINE_CPU_MILLI)}m`;
    }
    return this.#lastCpuText;
  }

  #memoryText(n: number): string {
    if (n !== this.#lastMemory) {
      this.#lastMemory = n;
      this.#lastMemoryText = `${Math.round(n * BORG_MACHINE_MEMORY_MIB)}Mi`;
    }
    return this.#lastMemoryText;
  }

  #diskText(n: number): string {
    if (n !== this.#lastDisk) {
      this.#lastDisk = n;
      this.#lastDiskText = String(n);
    }
    return this.#lastDiskText;
  }

  #pod(ev: Extract<BorgEvent, { t: 'task' }>, job: JobState, task: TaskState, out: TraceRecord[]): KObject {
    const name = taskPodName(ev.jobId, ev.index, task.incarnation);
    const jname = job.name;
    const labels: Record<string, string> = { [JOB_LABEL]: jname };
    if (ev.schedulingClass !== undefined) labels['kreplay.io/scheduling-class'] = String(ev.schedulingClass);
    const annotations: Record<string, string> = { 'kreplay.io/task-index': String(ev.index) };
    if (ev.cpu === undefined || ev.memory === undefined) this.counts.tasksWithoutRequest++;
    const requests: Record<string, string> = {
      cpu: this.#cpuText(ev.cpu ?? 0),
      memory: this.#memoryText(ev.memory ?? 0),
    };
    if (ev.disk !== undefined) annotations['kreplay.io/trace-disk-request'] = this.#diskText(ev.disk);
    if (ev.allocCollection !== undefined)
      annotations['kreplay.io/trace-alloc-set'] = jobName(ev.allocCollection);
    const metadata: Record<string, unknown> = { name, namespace: 'default', labels, annotations };
    // Linked to its Job by label and annotation, not ownerReferences: the Job controller must neither
    // adopt, replace nor delete pods that the trace creates and deletes itself.
    if (job.created && !job.allocSet) annotations[ANN_OWNER] = job.owner ??= `Job/${jname}`;
    const spec: Record<string, unknown> = {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: TRACE_IMAGE, resources: { requests } }],
    };
    if (ev.priority !== undefined) spec.priorityClassName = this.#priorityClass(ev.timeUs, ev.priority, out);
    // Built only when the pod has one (the common task has none).
    let affinity: Record<string, unknown> | undefined;
    const constraints = ev.constraints ?? task.constraints;
    if (constraints && constraints.length > 0) {
      affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: constraints.flatMap(toRequirement) }],
          },
        },
      };
    }
    const spread = ev.differentMachines || job.maxPerMachine === 1;
    if (spread) {
      (affinity ??= {}).podAntiAffinity = {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { [JOB_LABEL]: jname } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      };
    }
    if (job.maxPerMachine !== undefined && job.maxPerMachine > 1) {
      annotations[ANN_MAX_PER_MACHINE] = String(job.maxPerMachine);
      // maxSkew bounds the difference between nodes, not the count per node: the nearest Kubernetes
      // expression of "at most k per machine" (the loss report says so).
      spec.topologySpreadConstraints = [
        {
          maxSkew: job.maxPerMachine,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { [JOB_LABEL]: jname } },
        },
      ];
    }
    if (job.startAfter.length > 0) annotations[ANN_DEPENDS_ON] = job.startAfter.map(jobName).join(',');
    if (affinity !== undefined) spec.affinity = affinity;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KObject;
  }

  /** Notes of the data-dependent losses (read after the last event). */
  notes(): string[] {
    const c = this.counts;
    const out = [
      `${c.schedules} SCHEDULE events (the trace's own placements) counted for comparison, never used as input`,
      `${c.evictions} EVICT events: the pod is deleted (an eviction); the trace's next SUBMIT re-creates it as <name>-<n>`,
    ];
    const ends = Object.entries(c.ends)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(
      `task ends (${ends || 'none'}) are deletes at the trace's end time: Succeeded/Failed is not replayed, and a pod the simulator starts later than the trace did runs shorter`,
    );
    if (c.updatesIgnored > 0)
      out.push(`${c.updatesIgnored} UPDATE events ignored (a pod's requests and priority are immutable)`);
    if (c.duplicateSubmits > 0) out.push(`${c.duplicateSubmits} SUBMIT events of live tasks/jobs ignored`);
    if (c.orphanEvents > 0)
      out.push(`${c.orphanEvents} events about tasks, jobs or machines the trace never created were ignored`);
    if (c.machinesWithoutCapacity > 0)
      out.push(
        `${c.machinesWithoutCapacity} machine ADD events without cpus/memory: capacity 0 until an UPDATE says`,
      );
    if (c.tasksWithoutRequest > 0)
      out.push(`${c.tasksWithoutRequest} tasks without cpu/memory request: requested 0`);
    if (c.afterTrace > 0) out.push(`${c.afterTrace} events at time 2^63-1 (after the trace) ignored`);
    if (c.allocSets > 0 || c.allocInstances > 0)
      out.push(
        `${c.allocSets} alloc sets not replayed (Kubernetes cannot reserve room for other pods); ${c.allocInstances} instances ran inside one (annotation kreplay.io/trace-alloc-set)`,
      );
    return out;
  }
}

/**
 * Maps time-ordered batches of events to batches of records (one output batch per input batch), with
 * the node flush before the first event of each later time and a last flush at the end.
 */
export async function* mapBorgEvents(
  events: AsyncIterable<readonly BorgEvent[]>,
  mapper: BorgMapper,
): AsyncGenerator<TraceRecord[]> {
  let now = 0;
  for await (const batch of events) {
    const out: TraceRecord[] = [];
    for (const ev of batch) {
      if (ev.timeUs > now) {
        mapper.flush(now, out);
        now = ev.timeUs;
      }
      mapper.handle(ev, out);
    }
    if (out.length > 0) yield out;
  }
  const out: TraceRecord[] = [];
  mapper.flush(now, out);
  if (out.length > 0) yield out;
}

function toRequirement(c: BorgConstraint): Record<string, unknown>[] {
  const key = ATTR_LABEL_PREFIX + labelSafe(c.name);
  const v = labelSafe(c.value);
  switch (c.relation) {
    case 'eq':
      return [v === '' ? { key, operator: 'DoesNotExist' } : { key, operator: 'In', values: [v] }];
    case 'ne':
      return [v === '' ? { key, operator: 'Exists' } : { key, operator: 'NotIn', values: [v] }];
    case 'lt':
      return [{ key, operator: 'Lt', values: [c.value] }];
    case 'gt':
      return [{ key, operator: 'Gt', values: [c.value] }];
    // Kubernetes has only strict Lt/Gt on integers: x <= v is x < v + 1.
    case 'le':
      return [{ key, operator: 'Lt', values: [String(Number(c.value) + 1)] }];
    case 'ge':
      return [{ key, operator: 'Gt', values: [String(Number(c.value) - 1)] }];
    case 'present':
      return [{ key, operator: 'Exists' }];
    case 'absent':
      return [{ key, operator: 'DoesNotExist' }];
    default: {
      const never: never = c.relation;
      throw new Error(`unknown relation ${String(never)}`);
    }
  }
}

/** Loss notes every Borg trace has, whatever its data. */
export const BORG_STATIC_NOTES: readonly string[] = [
  `normalised capacity and requests: 1.0 cpu = ${BORG_MACHINE_CPU_MILLI} m (64 cores), 1.0 memory = ${BORG_MACHINE_MEMORY_MIB} Mi (256 GiB); pods capacity 110; allocatable = capacity`,
  'jobs are Jobs with parallelism 0 (annotation kreplay.io/pods-from-trace: the trace creates and deletes their pods, the Job controller stays idle); tasks are Pods linked to their Job by label kreplay.io/job and annotation kreplay.io/owner (no ownerReferences, so no adoption or garbage collection); long-running services are not told apart from batch',
  'machine attributes are node labels attr.kreplay.io/<name>, task constraints node affinity on them (names and values made label-safe)',
  'priorities are PriorityClasses <format>-priority-<p> with value p (free tier: preemptionPolicy Never)',
  'users and job names are obfuscated and not mapped (job name kept as an annotation); disk requests are annotations (machines have no disk column)',
];
