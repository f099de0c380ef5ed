import test from 'ava';
import { spawn } from 'node:child_process';

test('a reader that closes the pipe early (kreplay … | head) ends the CLI quietly with exit 0', async (t) => {
  // The CLI's entry (cli/main.ts `main`, what bin/kreplay.js calls) in a child process of its own.
  const url = new URL('../../cli/main.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--import=tsx',
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(url)}); await m.main(['node', 'kreplay', 'replay', '--help']);`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.destroy(); // closed before the CLI writes its first byte: its write fails with EPIPE
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(stderr, '');
  t.is(code, 0);
});
