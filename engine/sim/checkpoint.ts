import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { KreplayError } from '../api/errors.js';
import type { CheckpointData } from './simulation.js';
import { canonicalJson } from './canonical.js';

/** Writes a checkpoint as gzipped canonical JSON (temp file, then rename). */
export function writeCheckpoint(path: string, cp: CheckpointData): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, gzipSync(canonicalJson(cp)));
  renameSync(tmp, path);
}

/** Reads a checkpoint file; a file that is not one gives a KreplayError naming it. */
export function readCheckpoint(path: string): CheckpointData {
  let cp: CheckpointData;
  try {
    cp = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as CheckpointData;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new KreplayError('NOT_FOUND', `${path}: no such file or directory`);
    throw new KreplayError('BAD_CHECKPOINT', `${path}: not a kreplay checkpoint (${(err as Error).message})`);
  }
  if (cp.version !== 1)
    throw new KreplayError('BAD_CHECKPOINT', `${path}: unsupported checkpoint version ${String(cp.version)}`);
  return cp;
}
