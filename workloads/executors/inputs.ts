/** Content hashes of a cell's input files, and the readability check both sides run before a cell. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KreplayError } from '../../engine/api/errors.js';
import { PRESET_NAMES } from '../../engine/scheduler/index.js';
import type { CellKind, CellKinds, InputHashes } from './protocol.js';

/** An input of a cell cannot be read here (missing, unreadable, or not what the submitter hashed). */
export class UnreadableInputError extends KreplayError {
  readonly path: string;
  constructor(path: string, message: string, code = 'UNREADABLE_INPUT') {
    super(code, `${path}: ${message}`);
    this.path = path;
  }
}

/** The files (or folders) a cell reads; preset policies are named `preset:<name>`. */
export function cellInputPaths<K extends CellKind>(kind: K, task: CellKinds[K]['task']): string[] {
  if (kind === 'fill') {
    const t = task as CellKinds['fill']['task'];
    return [t.nodesPath, t.podsPath];
  }
  const t = task as CellKinds['compare']['task'];
  const i = t.inputs;
  const manifests = typeof i.manifests === 'string' ? [i.manifests] : (i.manifests ?? []);
  const paths = [i.trace, i.nodes, i.pods, ...manifests].filter((p): p is string => !!p);
  paths.push(PRESET_NAMES.includes(t.policy.source) ? `preset:${t.policy.source}` : t.policy.source);
  return paths;
}

const cache = new Map<string, { size: number; mtimeMs: number; sha: string }>();

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (b) => h.update(b))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

async function hashPath(path: string): Promise<string> {
  const s = await stat(path);
  if (s.isDirectory()) {
    const h = createHash('sha256');
    for (const name of (await readdir(path)).sort())
      h.update(`${name}\0${await hashPath(join(path, name))}\n`);
    return h.digest('hex');
  }
  const hit = cache.get(path);
  if (hit && hit.size === s.size && hit.mtimeMs === s.mtimeMs) return hit.sha;
  const sha = await hashFile(path);
  cache.set(path, { size: s.size, mtimeMs: s.mtimeMs, sha });
  return sha;
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * sha256 of each input (a folder: of its files' names and hashes, recursively), cached per process
 * by size and mtime. `where` names the side in errors (`on worker host:pid`). Throws
 * UnreadableInputError naming the first input that cannot be read.
 */
export async function hashInputs(paths: readonly string[], where: string): Promise<InputHashes> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    if (p.startsWith('preset:')) {
      out[p] = createHash('sha256').update(p).digest('hex');
      continue;
    }
    try {
      await access(p, constants.R_OK);
      out[p] = await hashPath(p);
    } catch (err) {
      throw new UnreadableInputError(
        p,
        `cannot read ${where} (${why(err)}); every worker must see the inputs at the submitter's path (a shared volume)`,
      );
    }
  }
  return out;
}
