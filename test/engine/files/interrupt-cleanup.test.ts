import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pendingRemovals, removeOnInterrupt } from '../../../engine/files/interrupt-cleanup.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-interrupt-'));

test('removeOnInterrupt registers a path until released', (t) => {
  const p = join(tmp(), '.kreplay-tmp-x');
  const release = removeOnInterrupt(p);
  t.true(pendingRemovals().includes(p));
  release();
  t.false(pendingRemovals().includes(p));
});

/** Runs `code` (TypeScript, with the cleanup module imported as `cleanup`) in a child process. */
function child(code: string): ReturnType<typeof spawn> {
  const url = new URL('../../../engine/files/interrupt-cleanup.ts', import.meta.url).href;
  return spawn(
    process.execPath,
    [
      '--import=tsx',
      '--input-type=module',
      '-e',
      `const cleanup = await import(${JSON.stringify(url)});\n${code}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

const exited = (
  c: ReturnType<typeof spawn>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => c.on('exit', (code, signal) => resolve({ code, signal })));

test('on SIGINT the registered temp folder goes and the exit code is 130', async (t) => {
  const dir = tmp();
  const staging = join(dir, '.kreplay-tmp-run');
  mkdirSync(staging);
  writeFileSync(join(staging, 'pods.csv'), 'half a report');
  const c = child(
    `cleanup.removeOnInterrupt(${JSON.stringify(staging)}); console.log('ready'); setInterval(() => {}, 1000);`,
  );
  await new Promise<void>((resolve) => c.stdout!.once('data', () => resolve()));
  c.kill('SIGINT');
  t.deepEqual(await exited(c), { code: 130, signal: null });
  t.false(existsSync(staging));
  t.deepEqual(readdirSync(dir), []);
});

test('a released path stays; an unreleased one goes when the process exits on its own', async (t) => {
  const dir = tmp();
  const kept = join(dir, 'kept');
  const gone = join(dir, '.kreplay-tmp-gone');
  mkdirSync(kept);
  mkdirSync(gone);
  const c = child(
    `cleanup.removeOnInterrupt(${JSON.stringify(kept)})(); cleanup.removeOnInterrupt(${JSON.stringify(gone)}); process.exit(0);`,
  );
  t.deepEqual(await exited(c), { code: 0, signal: null });
  t.deepEqual(readdirSync(dir), ['kept']);
});
