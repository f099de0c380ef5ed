import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { InputError, ValidationError } from '../../engine/api/errors.js';
import { loadManifests, locateManifests } from '../../engine/api/manifest.js';
import { objectKey, type Node, type Pod } from '../../engine/api/types.js';
import {
  Scheduler,
  loadSchedulerConfig,
  presetConfig,
  type ExplainResult,
} from '../../engine/scheduler/index.js';

interface ExplainOptions {
  cluster: string[];
  pod: string;
  config?: string;
  profile?: string;
  output: string;
}

/** Renders an explain result as an aligned text table (one row per node, one column per score plugin). */
export function renderExplainTable(r: ExplainResult): string {
  const plugins = Object.keys(r.weights).filter((p) => !r.preScoreSkipped.includes(p));
  const header = ['NODE', 'STATUS', ...plugins.map((p) => `${p}×${r.weights[p]}`), 'TOTAL', 'REASONS'];
  const rows = r.nodes.map((n) => [
    n.name,
    n.feasible ? 'feasible' : n.status,
    ...plugins.map((p) => (n.feasible ? String(n.scores[p] ?? '') : '')),
    n.totalScore === undefined ? '' : String(n.totalScore),
    n.feasible ? '' : `${n.plugin ? `${n.plugin}: ` : ''}${n.reasons.join('; ')}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `pod ${r.pod}, profile ${r.profile}`,
    line(header),
    ...rows.map(line),
    '',
    `selected: ${r.selected ?? '(none)'}${r.tiedNodes.length > 1 ? ` (tied with ${r.tiedNodes.filter((n) => n !== r.selected).join(', ')}; the scheduler draws among ties)` : ''}`,
  ];
  if (r.preScoreSkipped.length) out.push(`PreScore skipped: ${r.preScoreSkipped.join(', ')}`);
  if (r.preFilter)
    out.push(`PreFilter rejected the pod: ${r.preFilter.plugin}: ${r.preFilter.reasons.join('; ')}`);
  if (r.unavailablePlugins.length) out.push(`not modelled (skipped): ${r.unavailablePlugins.join(', ')}`);
  return `${out.join('\n')}\n`;
}

/**
 * Loads the cluster and pod, builds the scheduler, returns the explanation (the command minus printing).
 * `note` hears what the command decided on the user's behalf (printed on stderr, outside the JSON).
 */
export async function runExplain(
  opts: ExplainOptions,
  note: (message: string) => void = () => {},
): Promise<ExplainResult> {
  if (opts.output !== 'json' && opts.output !== 'table') {
    throw new ValidationError('--output', `must be json or table, got ${JSON.stringify(opts.output)}`);
  }
  const config = opts.config
    ? loadSchedulerConfig(await readFile(opts.config, 'utf8'), opts.config)
    : presetConfig('default-scheduler');
  const scheduler = new Scheduler({ config, random: () => 0 });
  const objects = await locateManifests(opts.cluster);
  if ((await stat(opts.pod).catch(() => undefined))?.isDirectory() === true)
    throw new InputError(
      opts.pod,
      undefined,
      undefined,
      'is a folder, not a file: --pod takes the file of one Pod',
    );
  const podObjects = await loadManifests([opts.pod]);
  const other = podObjects.find((o) => o.kind !== 'Pod');
  if (other !== undefined)
    throw new InputError(
      opts.pod,
      undefined,
      undefined,
      `holds ${other.kind} ${JSON.stringify(other.metadata?.name)} beside the Pod: --pod takes a file of one Pod (the cluster's objects go in --cluster)`,
    );
  if (podObjects.length === 0) throw new InputError(opts.pod, undefined, undefined, 'no Pod in this file');
  if (podObjects.length > 1)
    throw new InputError(opts.pod, undefined, undefined, `expected one Pod, found ${podObjects.length}`);
  const pod = podObjects[0] as Pod;
  const podKey = objectKey(podObjects[0]!);
  const nodes = new Set<string>();
  for (const { object } of objects) {
    if (object.kind !== 'Node') continue;
    scheduler.addNode(object as Node);
    nodes.add(object.metadata!.name!);
  }
  // Running pods are accounted once every node is known (order-independent input).
  for (const { object, file, line } of objects) {
    const running = object.kind === 'Pod' ? (object as Pod).spec?.nodeName : undefined;
    if (!running) continue;
    if (!nodes.has(running))
      throw new InputError(
        file,
        line,
        'spec.nodeName',
        `Pod "${objectKey(object)}" runs on node "${running}", which no --cluster file defines`,
        'NOT_FOUND',
      );
    // The pod asked about, already running: placed as if it were not (else its requests count twice).
    if (objectKey(object) === podKey) {
      note(
        `Pod "${podKey}" already runs on "${running}" in the cluster (${file}); it is left out, so the pod is placed as if it were not running`,
      );
      continue;
    }
    scheduler.addPod(object as Pod);
  }
  const wanted = pod.spec?.schedulerName || 'default-scheduler';
  if (opts.profile === undefined && !scheduler.profileNames.includes(wanted))
    throw new InputError(
      opts.config ?? '--config',
      undefined,
      'profiles',
      `no profile for the pod's scheduler ${JSON.stringify(wanted)} (profiles: ${scheduler.profileNames.join(', ')}); pass --profile to pick one`,
      'UNKNOWN_PROFILE',
    );
  if (opts.profile !== undefined && !scheduler.profileNames.includes(opts.profile)) {
    throw new ValidationError(
      '--profile',
      `no profile ${JSON.stringify(opts.profile)} (profiles: ${scheduler.profileNames.join(', ')})`,
    );
  }
  return scheduler.explain(pod, opts.profile);
}

/** `kreplay explain`: each node's filter verdict with reasons and each plugin's normalized score for one pod. */
export function register(program: Command): void {
  program
    .command('explain')
    .description("show, for one pod, every node's filter verdict and every plugin's normalized score")
    .requiredOption(
      '--cluster <path...>',
      'YAML/JSON files or folders with Nodes and Pods (pods with spec.nodeName run there)',
    )
    .requiredOption('--pod <path>', 'a YAML/JSON file with the Pod to place')
    .option(
      '--config <yaml>',
      'a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1); default: kube-scheduler defaults',
    )
    .option('--profile <name>', "profile to use (default: the pod's spec.schedulerName)")
    .option('--output <format>', 'json | table', 'table')
    .addHelpText(
      'after',
      '\nExample:\n  kreplay explain --cluster cluster.yaml --pod pod.yaml --config sched.yaml --output json\n',
    )
    .action(async (opts: ExplainOptions) => {
      const r = await runExplain(opts, (m) => process.stderr.write(`kreplay: note: ${m}\n`));
      process.stdout.write(
        opts.output === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderExplainTable(r),
      );
    });
}
