import test from 'ava';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs, makeOutputDirs } from '../../../engine/files/make-dirs.js';
import { InputError } from '../../../engine/api/errors.js';
import { describeFsError } from '../../../engine/files/describe.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-dirs-'));

test('makeDirs creates the missing levels and returns the first one it made', (t) => {
  const dir = tmp();
  t.is(makeDirs(join(dir, 'a', 'b', 'c')), join(dir, 'a'));
  t.true(statSync(join(dir, 'a', 'b', 'c')).isDirectory());
  // Already there: nothing made, as mkdirSync(..., { recursive: true }) says.
  t.is(makeDirs(join(dir, 'a', 'b')), undefined);
});

test('makeDirs refuses a file in the way with the code mkdir would give', (t) => {
  const dir = tmp();
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  t.throws(() => makeDirs(file), { code: 'EEXIST' });
  t.throws(() => makeDirs(join(file, 'sub', 'deeper')), { code: 'ENOTDIR' });
  t.false(existsSync(join(file, 'sub')));
});

test('makeDirs under /proc fails at once (Node 20 recursive mkdir loops forever there)', (t) => {
  if (process.platform !== 'linux') return t.pass('/proc is Linux');
  const err = t.throws(() => makeDirs('/proc/kreplay-no/such'));
  t.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  t.is(describeFsError(err), 'the folder cannot be created there');
});

test('describeFsError words the common codes and falls back to the message', (t) => {
  const e = (code: string, syscall?: string): Error =>
    Object.assign(new Error(`${code}: raw`), { code, ...(syscall ? { syscall } : {}) });
  t.is(describeFsError(e('EACCES')), 'permission denied');
  t.is(describeFsError(e('EROFS')), 'permission denied');
  t.is(describeFsError(e('ENOTDIR')), 'a parent is not a directory');
  t.is(describeFsError(e('EEXIST')), 'exists and is not a directory');
  t.is(describeFsError(e('EISDIR')), 'is a directory');
  t.is(describeFsError(e('ENOSPC')), 'no space left on device');
  t.is(describeFsError(e('ENOENT', 'open')), 'no such file or directory');
  t.is(describeFsError(e('EIO')), 'EIO: raw');
});

test('makeOutputDirs: creates the folder, or fails with one InputError naming it in words', (t) => {
  const root = tmp();
  makeOutputDirs(join(root, 'a', 'b'), 'write there');
  t.true(statSync(join(root, 'a', 'b')).isDirectory());
  const file = join(root, 'f');
  writeFileSync(file, 'x');
  t.throws(() => makeOutputDirs(file, 'write the trace there'), {
    instanceOf: InputError,
    message: `${file}: cannot write the trace there: exists and is not a directory`,
  });
});
