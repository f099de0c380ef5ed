import { LineCounter, parseDocument, isNode } from 'yaml';
import { ValidationError } from '../../api/errors.js';
import type { Registry } from './registry.js';
import { EXTENSION_POINTS, type ExtensionPoint } from './types.js';

/**
 * KubeSchedulerConfiguration (`kubescheduler.config.k8s.io/v1`) → resolved profiles, merged with the
 * default plugin set exactly as kube-scheduler does (v1 defaulting `mergePlugins`, then the framework's
 * multiPoint expansion), validated once at this boundary.
 */

/** One entry of `plugins.<point>.enabled` / `disabled`. */
export interface PluginRef {
  readonly name: string;
  readonly weight?: number;
}

/** A profile after merging with the defaults and expanding multiPoint. */
export interface ResolvedProfile {
  readonly schedulerName: string;
  /** Per-profile override of the global percentage (undefined = use the global one). */
  readonly percentageOfNodesToScore: number | undefined;
  /** Enabled plugin names per extension point, in run order. */
  readonly points: Readonly<Record<ExtensionPoint, readonly string[]>>;
  /** Score weight per score plugin. */
  readonly weights: ReadonlyMap<string, number>;
  /** Validated, defaulted args per instantiated plugin. */
  readonly args: ReadonlyMap<string, unknown>;
  /**
   * Plugins the configuration (or the default set) names that this build does not implement yet
   * (volume plugins; InterPodAffinity/PodTopologySpread/DefaultPreemption until registered). They are
   * left out of the profile instead of failing, and `explain`/docs list them.
   */
  readonly unavailable: readonly string[];
}

/** A parsed scheduler configuration: what `new Scheduler({ config })` takes. */
export interface SchedulerConfig {
  /** Global percentageOfNodesToScore; 0 = adaptive. */
  readonly percentageOfNodesToScore: number;
  readonly profiles: readonly ResolvedProfile[];
}

/** A config file problem, located: `file:line: path: message`. */
export class ConfigError extends ValidationError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, path: string, message: string) {
    super(path, message, 'INVALID_SCHEDULER_CONFIG');
    this.file = file;
    this.line = line;
    const where = line === undefined ? file : `${file}:${line}`;
    this.message = `${where}: ${path ? `${path}: ` : ''}${message}`;
  }
}

/** kube-scheduler's default multiPoint set (v1 defaults), with score weights. */
export const DEFAULT_MULTIPOINT: readonly PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/**
 * In-tree kube-scheduler plugins kreplay knows by name. When one of these is not registered it is
 * skipped (listed in `unavailable`) rather than rejected, so real configuration files load as they are.
 */
export const KNOWN_UPSTREAM_PLUGINS: ReadonlySet<string> = new Set([
  'VolumeRestrictions',
  'NodeVolumeLimits',
  'VolumeBinding',
  'VolumeZone',
  'PodTopologySpread',
  'InterPodAffinity',
  'DefaultPreemption',
  'DynamicResources',
  'EBSLimits',
  'GCEPDLimits',
  'AzureDiskLimits',
  'CinderLimits',
]);

const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const API_VERSION = 'kubescheduler.config.k8s.io/v1';

type Path = (string | number)[];

function pathString(p: Path): string {
  let s = '';
  for (const seg of p) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

/** Splits `a.b[1].c` back into segments, to locate a plugin's args error in the file. */
function parsePathString(s: string): Path {
  const out: Path = [];
  for (const m of s.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The fields of a `kubescheduler.config.k8s.io/v1` KubeSchedulerConfiguration (those not modelled are accepted and ignored). */
const CONFIG_FIELDS = new Set([
  'apiVersion',
  'kind',
  'parallelism',
  'leaderElection',
  'clientConnection',
  'healthzBindAddress',
  'metricsBindAddress',
  'enableProfiling',
  'enableContentionProfiling',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'profiles',
  'extenders',
  'delayCacheUntilActive',
]);
/** The fields of a KubeSchedulerProfile. */
const PROFILE_FIELDS = new Set(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and resolves a KubeSchedulerConfiguration. `fileName` only labels errors. Throws
 * {@link ConfigError} (a ValidationError) with the file, line and field path of the first problem.
 */
export function resolveSchedulerConfig(text: string, fileName: string, registry: Registry): SchedulerConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (p: Path): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const fail = (p: Path, message: string): never => {
    throw new ConfigError(fileName, lineOf(p), pathString(p), message);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    // prettyErrors is off, so the error has no linePos: its offset gives the line.
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new ConfigError(fileName, line, '', `invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const js: unknown = doc.toJS();
  if (js === null || js === undefined) return fail([], 'empty file: expected a KubeSchedulerConfiguration');
  const raw = js;
  if (!isObject(raw)) return fail([], 'expected a KubeSchedulerConfiguration object');
  // Another kind first (a Pod given as --config): its fields would otherwise read as misspellings.
  if (raw.kind !== undefined && raw.kind !== 'KubeSchedulerConfiguration')
    fail(['kind'], `expected kind "KubeSchedulerConfiguration", got ${JSON.stringify(raw.kind)}`);
  // Strict decoding, as kube-scheduler's: a misspelt field is an error, not a silent default.
  for (const k of Object.keys(raw))
    if (!CONFIG_FIELDS.has(k))
      fail([k], `unknown field ${JSON.stringify(k)} of a KubeSchedulerConfiguration`);
  if (raw.apiVersion !== undefined && raw.apiVersion !== API_VERSION) {
    fail(
      ['apiVersion'],
      `unsupported apiVersion ${JSON.stringify(raw.apiVersion)}, expected "${API_VERSION}"`,
    );
  }

  const percentage = (v: unknown, p: Path): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) {
      return fail(p, `must be an integer in 0..100, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const globalPct = percentage(raw.percentageOfNodesToScore, ['percentageOfNodesToScore']) ?? 0;
  let rawProfiles = raw.profiles;
  if (rawProfiles === undefined || rawProfiles === null) rawProfiles = [{}];
  if (!Array.isArray(rawProfiles)) return fail(['profiles'], 'must be a list');
  if (rawProfiles.length === 0) rawProfiles = [{}];

  const profiles: ResolvedProfile[] = [];
  const names = new Set<string>();
  (rawProfiles as unknown[]).forEach((rp, i) => {
    const base: Path = ['profiles', i];
    if (!isObject(rp)) fail(base, 'must be an object');
    const prof = rp as Record<string, unknown>;
    for (const k of Object.keys(prof))
      if (!PROFILE_FIELDS.has(k)) fail([...base, k], `unknown field ${JSON.stringify(k)} of a profile`);
    const schedulerName = prof.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    if (typeof schedulerName !== 'string' || schedulerName === '')
      fail([...base, 'schedulerName'], 'must be a non-empty string');
    if (names.has(schedulerName as string))
      fail([...base, 'schedulerName'], `duplicate profile ${JSON.stringify(schedulerName)}`);
    names.add(schedulerName as string);
    profiles.push(
      resolveProfile(
        prof,
        base,
        schedulerName as string,
        percentage(prof.percentageOfNodesToScore, [...base, 'percentageOfNodesToScore']),
        registry,
        fail,
      ),
    );
  });
  const sort0 = profiles[0]!.points.queueSort.join(',');
  profiles.forEach((p, i) => {
    if (p.points.queueSort.join(',') !== sort0)
      fail(['profiles', i, 'plugins', 'queueSort'], 'queueSort must be the same for all profiles');
  });
  return { percentageOfNodesToScore: globalPct, profiles };
}

type Fail = (p: Path, message: string) => never;

interface PluginSetRaw {
  enabled: PluginRef[];
  disabled: PluginRef[];
  /** Where each enabled entry came from (for error paths); undefined for defaults. */
  enabledPaths: (Path | undefined)[];
}

function readPluginSet(v: unknown, p: Path, fail: Fail): PluginSetRaw {
  const out: PluginSetRaw = { enabled: [], disabled: [], enabledPaths: [] };
  if (v === undefined || v === null) return out;
  if (!isObject(v)) return fail(p, 'must be an object with enabled/disabled lists');
  for (const k of Object.keys(v))
    if (k !== 'enabled' && k !== 'disabled')
      fail([...p, k], `unknown field ${JSON.stringify(k)} (want enabled, disabled)`);
  for (const which of ['enabled', 'disabled'] as const) {
    const list = v[which];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) fail([...p, which], 'must be a list');
    (list as unknown[]).forEach((e, j) => {
      const ep = [...p, which, j];
      if (!isObject(e) || typeof e.name !== 'string' || e.name === '')
        fail(ep, 'must be an object with a name');
      const entry = e as { name: string; weight?: unknown };
      let weight: number | undefined;
      if (entry.weight !== undefined && entry.weight !== null) {
        if (typeof entry.weight !== 'number' || !Number.isInteger(entry.weight) || entry.weight < 0) {
          fail([...ep, 'weight'], `must be a non-negative integer, got ${JSON.stringify(entry.weight)}`);
        }
        weight = entry.weight as number;
      }
      if (which === 'enabled') {
        out.enabled.push(weight === undefined ? { name: entry.name } : { name: entry.name, weight });
        out.enabledPaths.push(ep);
      } else out.disabled.push({ name: entry.name });
    });
  }
  return out;
}

/** kube-scheduler's v1 `mergePluginSet`: defaults minus disabled (all with `*`), overrides in place, then the rest appended. */
function mergePluginSet(defaults: readonly PluginRef[], custom: PluginSetRaw): PluginSetRaw {
  const disabled = new Set(custom.disabled.map((d) => d.name));
  const customIndex = new Map<string, number>();
  custom.enabled.forEach((e, i) => customIndex.set(e.name, i));
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  const enabledPaths: (Path | undefined)[] = [];
  if (!disabled.has('*')) {
    for (const d of defaults) {
      if (disabled.has(d.name)) continue;
      const ci = customIndex.get(d.name);
      if (ci !== undefined) {
        enabled.push(custom.enabled[ci]!);
        enabledPaths.push(custom.enabledPaths[ci]);
        replaced.add(ci);
      } else {
        enabled.push(d);
        enabledPaths.push(undefined);
      }
    }
  }
  custom.enabled.forEach((e, i) => {
    if (replaced.has(i)) return;
    enabled.push(e);
    enabledPaths.push(custom.enabledPaths[i]);
  });
  return { enabled, disabled: custom.disabled, enabledPaths };
}

function resolveProfile(
  prof: Record<string, unknown>,
  base: Path,
  schedulerName: string,
  pct: number | undefined,
  registry: Registry,
  fail: Fail,
): ResolvedProfile {
  const pluginsRaw = prof.plugins ?? {};
  if (!isObject(pluginsRaw)) fail([...base, 'plugins'], 'must be an object');
  const plugins = pluginsRaw as Record<string, unknown>;
  for (const k of Object.keys(plugins)) {
    if (k !== 'multiPoint' && !(EXTENSION_POINTS as readonly string[]).includes(k)) {
      fail([...base, 'plugins', k], `unknown extension point ${JSON.stringify(k)}`);
    }
  }
  const unavailable = new Set<string>();
  // Keep only plugins this build has; unknown names fail with their path, known upstream ones are noted.
  const available = (set: PluginSetRaw, p: Path): PluginSetRaw => {
    const out: PluginSetRaw = { enabled: [], disabled: set.disabled, enabledPaths: [] };
    set.enabled.forEach((e, j) => {
      if (registry.has(e.name)) {
        out.enabled.push(e);
        out.enabledPaths.push(set.enabledPaths[j]);
      } else if (KNOWN_UPSTREAM_PLUGINS.has(e.name)) unavailable.add(e.name);
      else fail(set.enabledPaths[j] ?? p, `unknown plugin ${JSON.stringify(e.name)}`);
    });
    return out;
  };
  const mpPath = [...base, 'plugins', 'multiPoint'];
  const multiPoint = available(
    mergePluginSet(DEFAULT_MULTIPOINT, readPluginSet(plugins.multiPoint, mpPath, fail)),
    mpPath,
  );
  const perPoint = new Map<ExtensionPoint, PluginSetRaw>();
  for (const point of EXTENSION_POINTS) {
    const pp = [...base, 'plugins', point];
    perPoint.set(point, available(mergePluginSet([], readPluginSet(plugins[point], pp, fail)), pp));
  }

  const points = {} as Record<ExtensionPoint, string[]>;
  for (const point of EXTENSION_POINTS) {
    const set = perPoint.get(point)!;
    const pp = [...base, 'plugins', point];
    // Plugins enabled at this point explicitly (kube-scheduler's updatePluginList).
    const enabledSet: string[] = [];
    set.enabled.forEach((e, j) => {
      const ep = set.enabledPaths[j] ?? pp;
      if (!registry.get(e.name)!.points.includes(point))
        fail(ep, `plugin ${JSON.stringify(e.name)} does not extend ${point}`);
      if (enabledSet.includes(e.name))
        fail(ep, `plugin ${JSON.stringify(e.name)} already registered as ${point}`);
      enabledSet.push(e.name);
    });
    const disabled = new Set(set.disabled.map((d) => d.name));
    if (disabled.has('*')) {
      points[point] = enabledSet;
      continue;
    }
    // MultiPoint expansion (frameworkImpl.expandMultiPointPlugins): overrides first, then multiPoint, then the rest.
    const multi: string[] = [];
    const overrides = new Set<string>();
    multiPoint.enabled.forEach((e, j) => {
      if (!registry.get(e.name)!.points.includes(point)) return;
      if (disabled.has(e.name)) return;
      if (enabledSet.includes(e.name)) {
        overrides.add(e.name);
        return;
      }
      if (multi.includes(e.name))
        fail(
          multiPoint.enabledPaths[j] ?? mpPath,
          `plugin ${JSON.stringify(e.name)} already registered as ${point}`,
        );
      multi.push(e.name);
    });
    points[point] = [
      ...enabledSet.filter((n) => overrides.has(n)),
      ...multi,
      ...enabledSet.filter((n) => !overrides.has(n)),
    ];
  }
  if (points.queueSort.length !== 1) {
    fail(
      [...base, 'plugins', 'queueSort'],
      `only one queue sort plugin required for profile with scheduler name "${schedulerName}", but got ${points.queueSort.length}`,
    );
  }
  if (points.bind.length === 0)
    fail(
      [...base, 'plugins', 'bind'],
      `at least one bind plugin is needed for profile with scheduler name "${schedulerName}"`,
    );

  // Weights: the score point's own entries win over multiPoint's; 0 means 1 (getScoreWeights).
  const weights = new Map<string, number>();
  for (const e of [...perPoint.get('score')!.enabled, ...multiPoint.enabled]) {
    if (!points.score.includes(e.name) || weights.has(e.name)) continue;
    weights.set(e.name, e.weight ? e.weight : 1);
  }

  // Args: validated for every configured entry, defaulted for every instantiated plugin.
  const needed = new Set<string>();
  for (const point of EXTENSION_POINTS) for (const n of points[point]) needed.add(n);
  const args = new Map<string, unknown>();
  const pc = prof.pluginConfig ?? [];
  if (!Array.isArray(pc)) fail([...base, 'pluginConfig'], 'must be a list');
  const seen = new Set<string>();
  (pc as unknown[]).forEach((entry, j) => {
    const ep: Path = [...base, 'pluginConfig', j];
    if (!isObject(entry) || typeof entry.name !== 'string') fail(ep, 'must be an object with a name');
    const e = entry as { name: string; args?: unknown };
    if (seen.has(e.name)) fail([...ep, 'name'], `repeated config for plugin ${e.name}`);
    seen.add(e.name);
    const factory = registry.get(e.name);
    if (!factory) {
      if (KNOWN_UPSTREAM_PLUGINS.has(e.name)) return;
      fail([...ep, 'name'], `unknown plugin ${JSON.stringify(e.name)}`);
    }
    const argsPath = pathString([...ep, 'args']);
    try {
      args.set(e.name, factory!.parseArgs ? factory!.parseArgs(e.args ?? undefined, argsPath) : e.args);
    } catch (err) {
      if (err instanceof ValidationError && !(err instanceof ConfigError)) {
        const msg = err.path ? err.message.slice(err.path.length + 2) : err.message;
        fail(parsePathString(err.path || argsPath), msg);
      }
      throw err;
    }
  });
  for (const n of needed) {
    if (args.has(n)) continue;
    const f = registry.get(n)!;
    args.set(n, f.parseArgs ? f.parseArgs(undefined, `${pathString(base)}.pluginConfig`) : undefined);
  }
  return {
    schedulerName,
    percentageOfNodesToScore: pct,
    points,
    weights,
    args,
    unavailable: [...unavailable],
  };
}
