import type { Clock, TimeUs } from './types.js';
import type { QueuedEvent } from './heap.js';
import { EventQueue } from './heap.js';
import { EventLog } from './log.js';
import type { LogPosition } from './log.js';
import { RngStreams } from './rng.js';
import type { RngState } from './rng.js';

/** Handles one queued event type. Handlers schedule further events and append to the log. */
export type EventHandler = (data: unknown, sim: Simulation) => void;

/** Stateful part of a simulation that checkpoints save and resumes restore. */
export interface Snapshotable {
  /** Plain JSON-serialisable state. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** Everything needed to resume a simulation at virtual time `time`. */
export interface CheckpointData {
  readonly version: 1;
  readonly seed: string;
  readonly time: TimeUs;
  readonly serial: number;
  readonly queue: QueuedEvent[];
  readonly rng: RngState;
  readonly log: LogPosition;
  readonly components: Record<string, unknown>;
}

/** Options of a new simulation; `resume` continues from a checkpoint. */
export interface SimulationOptions {
  seed: string | number;
  resume?: CheckpointData;
}

/**
 * The discrete-event core: a virtual clock in integer microseconds, an event queue ordered by
 * (time, phase, serial), handlers by event type, named RNG streams and the hashed event log.
 * Events are plain data (type + JSON payload) so the queue itself can be checkpointed.
 */
export class Simulation implements Clock {
  readonly log: EventLog;
  readonly rng: RngStreams;
  #now: TimeUs;
  #serial: number;
  #queue = new EventQueue();
  #handlers = new Map<string, EventHandler>();
  #components = new Map<string, Snapshotable>();
  #processed = 0;
  /** Queued events per type, for callers that must tell background timers from real work. */
  readonly #pendingByType = new Map<string, number>();
  #pendingRestore: Record<string, unknown> | undefined;

  constructor(opts: SimulationOptions) {
    const cp = opts.resume;
    if (cp && cp.seed !== String(opts.seed)) {
      throw new RangeError(`checkpoint was taken with seed ${cp.seed}, not ${String(opts.seed)}`);
    }
    this.#now = cp?.time ?? 0;
    this.#serial = cp?.serial ?? 0;
    this.rng = new RngStreams(opts.seed, cp?.rng);
    this.log = new EventLog(this, cp?.log);
    if (cp) {
      for (const ev of cp.queue) {
        this.#queue.push(ev);
        this.#pendingByType.set(ev.type, (this.#pendingByType.get(ev.type) ?? 0) + 1);
      }
      this.#pendingRestore = { ...cp.components };
    }
  }

  now(): TimeUs {
    return this.#now;
  }

  /** Events handled so far in this process. */
  get processed(): number {
    return this.#processed;
  }

  /** Events waiting in the queue. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Time of the next queued event, if any. */
  nextTime(): TimeUs | undefined {
    return this.#queue.peek()?.time;
  }

  /** Registers the handler for an event type (one per type). */
  on(type: string, handler: EventHandler): void {
    if (this.#handlers.has(type)) throw new Error(`a handler for ${type} is already registered`);
    this.#handlers.set(type, handler);
  }

  /**
   * Registers a checkpointed component. When resuming, its saved state is restored right away,
   * so register components after wiring their handlers.
   */
  register(name: string, component: Snapshotable): void {
    if (this.#components.has(name)) throw new Error(`component ${name} is already registered`);
    this.#components.set(name, component);
    if (this.#pendingRestore && name in this.#pendingRestore) {
      component.restore(this.#pendingRestore[name]);
      delete this.#pendingRestore[name];
    }
  }

  /** Queues an event at absolute virtual time `time` (never in the past). */
  schedule(time: TimeUs, phase: number, type: string, data: unknown = null): void {
    if (!Number.isInteger(time)) throw new RangeError(`event time must be an integer of µs, got ${time}`);
    if (time < this.#now)
      throw new RangeError(`cannot schedule ${type} at ${time} µs, before now (${this.#now} µs)`);
    this.#queue.push({ time, phase, serial: this.#serial++, type, data });
    this.#pendingByType.set(type, (this.#pendingByType.get(type) ?? 0) + 1);
  }

  /** Events of `type` waiting in the queue. */
  pendingOfType(type: string): number {
    return this.#pendingByType.get(type) ?? 0;
  }

  /** Queues an event `delayUs` after now. */
  after(delayUs: TimeUs, phase: number, type: string, data: unknown = null): void {
    this.schedule(this.#now + Math.round(delayUs), phase, type, data);
  }

  /** Handles the next event; false when the queue is empty. */
  step(): boolean {
    const ev = this.#queue.pop();
    if (!ev) return false;
    this.#now = ev.time;
    this.#pendingByType.set(ev.type, this.#pendingByType.get(ev.type)! - 1);
    const h = this.#handlers.get(ev.type);
    if (!h) throw new Error(`no handler for event type ${ev.type}`);
    this.#processed++;
    h(ev.data, this);
    return true;
  }

  /**
   * Handles every event with time ≤ `time`, then sets the clock to `time` (if later). Returns the
   * number of events handled. `Infinity` runs until the queue is empty (the clock stays at the last event).
   */
  runUntil(time: TimeUs): number {
    const start = this.#processed;
    for (;;) {
      const next = this.#queue.peek();
      if (!next || next.time > time) break;
      this.step();
    }
    if (Number.isFinite(time) && time > this.#now) this.#now = time;
    return this.#processed - start;
  }

  /** A snapshot of the whole simulation at the current time, between events. */
  checkpoint(): CheckpointData {
    const components: Record<string, unknown> = {};
    for (const [name, c] of this.#components) components[name] = c.snapshot();
    return {
      version: 1,
      seed: this.rng.seed,
      time: this.#now,
      serial: this.#serial,
      queue: this.#queue.sorted(),
      rng: this.rng.state(),
      log: this.log.position(),
      components,
    };
  }
}
