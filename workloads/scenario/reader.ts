import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError, KreplayError } from '../../engine/api/errors.js';
import type { KObject } from '../../engine/api/types.js';
import type { InputCall } from '../../engine/cluster/replay.js';
import type { Fault } from '../../engine/controllers/index.js';
import { parseDurationUs } from '../../engine/api/duration.js';
import type { TimeUs } from '../../engine/sim/types.js';

/** A timed fault of a scenario. */
export interface TimedFault {
  readonly timeUs: TimeUs;
  readonly fault: Fault;
}

/** A scenario file, read and checked. */
export interface Scenario {
  readonly name: string;
  readonly seed: string | number;
  /** Horizon of the run. */
  readonly untilUs: TimeUs;
  /** API calls in time order (the `objects` list becomes creates at t=0, first). */
  readonly calls: readonly InputCall[];
  readonly faults: readonly TimedFault[];
}

const OPS = new Set(['create', 'update', 'delete']);
const FAULT_KEYS = ['nodeDown', 'nodeUp', 'controllerManagerKill', 'schedulerKill', 'quota'] as const;

/**
 * Reads a scenario (YAML):
 *
 * ```yaml
 * name: quota-raise
 * seed: 1
 * until: 20m
 * objects: [ <manifests created at t=0> ]
 * calls:   [ { at: 10m, op: update, object: <manifest> } ]
 * faults:
 *   - { at: 1m, nodeDown: n1 }
 *   - { at: 3m, nodeUp: n1 }
 *   - { at: 5m, controllerManagerKill: { restartAfter: 1m } }   # or `controllerManagerKill: true`
 *   - { at: 10m, quota: { namespace: default, name: q, hard: { pods: "10" } } }
 * ```
 *
 * Durations as in traces (`90s`, `15m`, seconds). Errors are InputErrors naming the file, the line
 * and the field (`scenario.yaml:12: faults[1].at: invalid duration "soon"`).
 */
export function readScenario(text: string, file = 'scenario.yaml'): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const lineOf = (n: YamlNode | null | undefined): number | undefined =>
    n?.range ? lc.linePos(n.range[0]).line : undefined;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(
      file,
      e.linePos?.[0].line ?? lc.linePos(e.pos[0]).line,
      undefined,
      e.message.split('\n')[0]!,
      'BAD_SCENARIO',
    );
  }
  const fail = (path: (string | number)[], message: string): never => {
    const node = doc.getIn(path, true) as YamlNode | undefined;
    const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
    throw new InputError(
      file,
      lineOf(node) ?? lineOf(doc.contents),
      field || undefined,
      message,
      'BAD_SCENARIO',
    );
  };
  const root: unknown = doc.toJS();
  if (typeof root !== 'object' || root === null || Array.isArray(root)) fail([], 'a scenario must be a map');
  const r = root as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['name', 'seed', 'until', 'objects', 'calls', 'faults'].includes(k))
      fail([k], `unknown field (expected name, seed, until, objects, calls, faults)`);
  }
  const duration = (v: unknown, path: (string | number)[]): TimeUs => {
    if (typeof v !== 'string' && typeof v !== 'number')
      return fail(path, 'required: a duration such as 90s or 15m');
    try {
      return parseDurationUs(v);
    } catch (err) {
      return fail(path, err instanceof KreplayError ? err.message.replace(/^: /, '') : String(err));
    }
  };
  const manifest = (v: unknown, path: (string | number)[]): KObject => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return fail(path, 'must be a Kubernetes object (a map)');
    const o = v as KObject;
    if (typeof o.kind !== 'string') fail([...path, 'kind'], 'required');
    if (typeof o.metadata !== 'object' || o.metadata === null) fail([...path, 'metadata'], 'required');
    return o;
  };
  const list = (key: string): unknown[] => {
    const v = r[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail([key], 'must be a list');
    return v;
  };

  const calls: InputCall[] = [];
  list('objects').forEach((o, i) =>
    calls.push({ timeUs: 0, op: 'create', object: manifest(o, ['objects', i]) }),
  );
  const timed: InputCall[] = [];
  list('calls').forEach((c, i) => {
    if (typeof c !== 'object' || c === null) fail(['calls', i], 'must be a map with at, op, object');
    const call = c as Record<string, unknown>;
    const op = call.op ?? 'create';
    if (typeof op !== 'string' || !OPS.has(op))
      fail(['calls', i, 'op'], `must be create, update or delete, got ${JSON.stringify(op)}`);
    timed.push({
      timeUs: duration(call.at, ['calls', i, 'at']),
      op: op as InputCall['op'],
      object: manifest(call.object, ['calls', i, 'object']),
    });
  });
  // Stable sort: same-time calls keep file order.
  timed.sort((a, b) => a.timeUs - b.timeUs);
  calls.push(...timed);

  const faults: TimedFault[] = [];
  list('faults').forEach((f, i) => {
    if (typeof f !== 'object' || f === null) fail(['faults', i], 'must be a map');
    const m = f as Record<string, unknown>;
    const timeUs = duration(m.at, ['faults', i, 'at']);
    const kinds = FAULT_KEYS.filter((k) => k in m);
    if (kinds.length !== 1) fail(['faults', i], `needs exactly one of ${FAULT_KEYS.join(', ')}`);
    const k = kinds[0]!;
    const v = m[k];
    const p = ['faults', i, k];
    switch (k) {
      case 'nodeDown':
      case 'nodeUp':
        if (typeof v !== 'string' || v === '') fail(p, 'must be a node name');
        faults.push({
          timeUs,
          fault: { type: k === 'nodeDown' ? 'node-down' : 'node-up', node: v as string },
        });
        break;
      case 'controllerManagerKill':
      case 'schedulerKill': {
        const type = k === 'schedulerKill' ? 'scheduler-kill' : 'controller-manager-kill';
        if (v === true || v === null) faults.push({ timeUs, fault: { type } });
        else if (typeof v === 'object' && !Array.isArray(v)) {
          const ra = (v as Record<string, unknown>).restartAfter;
          faults.push({
            timeUs,
            fault: {
              type,
              ...(ra !== undefined ? { restartAfterUs: duration(ra, [...p, 'restartAfter']) } : {}),
            },
          });
        } else fail(p, 'must be true or { restartAfter: <duration> }');
        break;
      }
      case 'quota': {
        if (typeof v !== 'object' || v === null) return fail(p, 'must be { namespace, name, hard }');
        const q = v as Record<string, unknown>;
        if (typeof q.name !== 'string') fail([...p, 'name'], 'required');
        if (typeof q.hard !== 'object' || q.hard === null)
          fail([...p, 'hard'], 'required: a map of resource to quantity');
        const hard: Record<string, string> = {};
        for (const [res, amount] of Object.entries(q.hard as Record<string, unknown>))
          hard[res] = String(amount);
        faults.push({
          timeUs,
          fault: {
            type: 'quota-change',
            namespace: typeof q.namespace === 'string' ? q.namespace : 'default',
            name: q.name as string,
            hard,
          },
        });
        break;
      }
    }
  });
  faults.sort((a, b) => a.timeUs - b.timeUs);

  const seed = r.seed ?? 1;
  if (typeof seed !== 'string' && typeof seed !== 'number') fail(['seed'], 'must be a string or a number');
  return {
    name: typeof r.name === 'string' ? r.name : file,
    seed: seed as string | number,
    untilUs: r.until === undefined ? 3_600_000_000 : duration(r.until, ['until']),
    calls,
    faults,
  };
}
