import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { InputError, KreplayError, ValidationError } from './errors.js';
import type { KObject } from './types.js';
import { validateObject } from './validate.js';

/**
 * Kubernetes manifests (YAML or JSON, as `kubectl apply -f` takes them) → validated objects.
 *
 * This is the one file in engine/api that touches the file system; `loadManifestText` is the pure
 * part. Objects come out in a deterministic order: paths as given, folders walked recursively with
 * entries sorted by name (code-unit order, not locale), documents in file order, list items in order.
 * JSON goes through the YAML parser too (YAML 1.2 is a superset of JSON), so both report lines.
 */

/** File extensions picked up when walking a folder. */
export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);

/**
 * A manifest failed validation. The message reads
 * `cluster.yaml: document 3 (line 41): spec.containers[0].resources.requests.cpu: invalid quantity "1x"`;
 * `code` is the underlying ValidationError's code (e.g. INVALID_QUANTITY).
 */
export class ManifestError extends InputError {
  /** 1-based index of the YAML document in its file (empty documents count). */
  readonly document: number;
  constructor(
    file: string,
    document: number,
    line: number | undefined,
    field: string | undefined,
    message: string,
    code: string,
  ) {
    super(file, line, field, message, code);
    this.document = document;
    const where = `${file}: document ${document}${line === undefined ? '' : ` (line ${line})`}`;
    this.message = field ? `${where}: ${field}: ${message}` : `${where}: ${message}`;
  }
}

type PathSegment = string | number;

function formatPath(segs: readonly PathSegment[]): string {
  let out = '';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Finds the source offset of a field path such as `items[2].metadata.labels.app.kubernetes.io/name`.
 * Map keys may contain dots, so at each map the longest key that prefixes the rest of the path wins.
 * Returns the offset of the deepest node reached, so a missing field points at its parent.
 */
function offsetOf(doc: Document, path: string): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = (node as { range?: [number, number, number] } | null)?.range?.[0];
  let rest = path;
  while (rest !== '' && node) {
    if (rest.startsWith('.')) rest = rest.slice(1);
    if (isSeq(node)) {
      const m = /^\[(\d+)\]/.exec(rest);
      if (!m) break;
      node = node.items[Number(m[1])];
      rest = rest.slice(m[0].length);
    } else if (isMap(node)) {
      let found: unknown;
      let len = -1;
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const k = String(pair.key.value);
        const next = rest.charAt(k.length);
        if (k.length > len && rest.startsWith(k) && (next === '' || next === '.' || next === '[')) {
          found = pair.value ?? pair.key;
          len = k.length;
        }
      }
      if (len < 0) break;
      node = found;
      rest = rest.slice(len);
    } else break;
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (r) best = r[0];
  }
  return best;
}

function collect(
  value: unknown,
  base: PathSegment[],
  out: { obj: KObject; base: PathSegment[] }[],
  topLevel: boolean,
): void {
  if (Array.isArray(value) && topLevel) {
    value.forEach((item, i) => collect(item, [...base, i], out, false));
    return;
  }
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value;
    throw new ValidationError(formatPath(base), `expected a Kubernetes object, got ${what}`, 'BAD_MANIFEST');
  }
  const kind = value.kind;
  if (typeof kind === 'string' && (kind === 'List' || kind.endsWith('List')) && Array.isArray(value.items)) {
    value.items.forEach((item, i) => collect(item, [...base, 'items', i], out, false));
    return;
  }
  out.push({ obj: value as KObject, base });
}

/** An object of a manifest file and where it starts (for errors about it found later). */
export interface LocatedObject {
  readonly object: KObject;
  readonly file: string;
  /** 1-based line of the object's first field. */
  readonly line: number | undefined;
}

/**
 * Parses and validates the manifests in `text`; `fileName` is only used in error messages. Throws
 * InputError (`file:line: invalid YAML: …`) for unparsable text and ManifestError for invalid objects.
 */
export function loadManifestText(text: string, fileName: string): KObject[] {
  return locateManifestText(text, fileName).map((o) => o.object);
}

/** {@link loadManifestText} with each object's file and line. */
export function locateManifestText(text: string, fileName: string): LocatedObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const objects: LocatedObject[] = [];
  let index = 0;
  for (const doc of docs) {
    index++;
    const err = doc.errors[0];
    if (err) {
      const line = lineCounter.linePos(err.pos[0]).line;
      throw new InputError(
        fileName,
        line,
        undefined,
        `invalid YAML (document ${index}): ${err.message}`,
        'INVALID_YAML',
      );
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const line = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
      throw new InputError(
        fileName,
        line,
        undefined,
        `invalid YAML (document ${index}): ${(e as Error).message}`,
        'INVALID_YAML',
      );
    }
    if (value === null || value === undefined) continue;
    const items: { obj: KObject; base: PathSegment[] }[] = [];
    try {
      collect(value, [], items, true);
      for (const item of items) {
        try {
          validateObject(item.obj);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          throw new ValidationError(joinPath(formatPath(item.base), e.path), e.detail, e.code);
        }
        const at = offsetOf(doc, formatPath(item.base));
        objects.push({
          object: item.obj,
          file: fileName,
          line: at === undefined ? undefined : lineCounter.linePos(at).line,
        });
      }
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const offset = offsetOf(doc, e.path);
      const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
      throw new ManifestError(fileName, index, line, e.path || undefined, e.detail, e.code);
    }
  }
  return objects;
}

function joinPath(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return b.startsWith('[') ? a + b : `${a}.${b}`;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const names = (await readdir(dir)).sort(byName);
  for (const name of names) {
    const p = join(dir, name);
    const st = await stat(p);
    if (st.isDirectory()) await walk(p, out);
    else if (st.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) out.push(p);
  }
}

/**
 * Loads manifests from files and folders (recursively; `.yaml`, `.yml`, `.json`, sorted by name). A
 * file named explicitly is read whatever its extension. Missing path → InputError
 * `path: no such file or directory`; see {@link loadManifestText} for the other errors.
 */
export async function loadManifests(paths: readonly string[]): Promise<KObject[]> {
  return (await locateManifests(paths)).map((o) => o.object);
}

/** {@link loadManifests} with each object's file and line. */
export async function locateManifests(paths: readonly string[]): Promise<LocatedObject[]> {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new InputError(p, undefined, undefined, 'no such file or directory', 'NOT_FOUND');
      throw new InputError(p, undefined, undefined, (e as Error).message, 'UNREADABLE');
    }
    if (st.isDirectory()) await walk(p, files);
    else files.push(p);
  }
  const objects: LocatedObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (e instanceof KreplayError) throw e;
      throw new InputError(file, undefined, undefined, (e as Error).message, 'UNREADABLE');
    }
    for (const obj of locateManifestText(text, file)) objects.push(obj);
  }
  return objects;
}
