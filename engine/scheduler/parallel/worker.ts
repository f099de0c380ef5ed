/**
 * Worker entry (piscina's `filename`): runs one session per thread (session.ts). piscina first tries
 * `require()` on the entry; loading the session through a native `import()` keeps the scheduler's
 * modules ESM in the worker in every mode (under tsx, CommonJS interop would turn every imported
 * constant in the plugins' hot loops into a getter call).
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServeTask } from './protocol.js';

// A plain `import()` may be rewritten to `require()` by a CommonJS transform; this one is not.
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

/** The piscina task: one synchronous session until the owner sends `close`. */
export default async function run(task: ServeTask): Promise<string> {
  const here = import.meta.url;
  const url = new URL(`./session${extname(fileURLToPath(here))}`, here).href;
  let m: { serve(t: ServeTask): string };
  try {
    m = (await nativeImport(url)) as typeof m;
  } catch (e) {
    // tsx registers no ESM hooks in worker threads: load through its CommonJS hook instead.
    if ((e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    m = createRequire(here)(fileURLToPath(url)) as typeof m;
  }
  return m.serve(task);
}
