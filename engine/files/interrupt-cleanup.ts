import { rmSync } from 'node:fs';

/**
 * Temp files and folders to remove if the process is interrupted (SIGINT, SIGTERM) or exits before
 * their owner renamed or removed them: a stopped run leaves no `.kreplay-tmp-*` behind. Owners
 * register a path when they create it and release it once it is renamed into place or removed.
 */
const pending = new Set<string>();
let installed = false;

function removeAll(): void {
  for (const path of pending) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort: the process is going away.
    }
  }
  pending.clear();
}

function install(): void {
  installed = true;
  process.on('exit', removeAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      // Another listener (e.g. `kreplay worker` finishing its job) owns the signal: let it decide.
      if (process.listenerCount(signal) > 1) return;
      removeAll();
      process.exit(code);
    });
  }
}

/** Registers `path` for removal on interrupt or exit; returns the function that releases it. */
export function removeOnInterrupt(path: string): () => void {
  if (!installed) install();
  pending.add(path);
  return () => {
    pending.delete(path);
  };
}

/** Paths registered now (for tests). */
export function pendingRemovals(): string[] {
  return [...pending];
}
