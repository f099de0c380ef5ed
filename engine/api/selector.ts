import { ValidationError } from './errors.js';
import type { KObject, LabelSelector } from './types.js';

/**
 * Label and field selectors with Kubernetes semantics.
 *
 * Two entry points differ on purpose, as `metav1.LabelSelectorAsSelector` does:
 * - {@link compileLabelSelector} takes the structured form (`matchLabels` / `matchExpressions`) found in
 *   object specs. A `null`/`undefined` selector matches **nothing**; an empty one (`{}`) matches
 *   **everything**.
 * - {@link compileSelectorString} takes the string form (`app=web,tier in (a,b),!legacy`) used by list
 *   calls. The empty string matches everything.
 *
 * Selectors compile once to a closure; matching allocates nothing.
 */

/** Labels of an object; `undefined` is treated as no labels. */
export type Labels = Record<string, string> | undefined;

/** A compiled label selector. */
export type LabelMatcher = (labels: Labels) => boolean;

/** A compiled field selector. */
export type FieldMatcher = (obj: KObject) => boolean;

/** Operators of one label requirement, as in `metav1.LabelSelectorOperator`. */
export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/**
 * One parsed requirement. `=`/`==` parse to `In` with one value and `!=` to `NotIn` with one value: the
 * semantics are identical (NotIn also matches objects without the key).
 */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** Matches everything; shared so callers can compare against it. */
export const MATCH_EVERYTHING: LabelMatcher = () => true;
/** Matches nothing (the meaning of a nil structured selector). */
export const MATCH_NOTHING: LabelMatcher = () => false;

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

// Qualified name: optional DNS-subdomain prefix + '/' + name of ≤ 63 chars (apimachinery IsQualifiedName).
const NAME_PART_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Which part of `key` breaks the qualified-name rules (apimachinery IsQualifiedName; label keys and
 * resource names share them): the `prefix` before the first '/', the `name` after it (or the whole key
 * without one), or `undefined` when it is a qualified name.
 */
export function qualifiedNameProblem(key: string): 'prefix' | 'name' | undefined {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix)) return 'prefix';
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART_RE.test(name)) return 'name';
  return undefined;
}

/** Why `key` is not a valid label key, or `undefined` when it is. */
export function labelKeyProblem(key: string): string | undefined {
  switch (qualifiedNameProblem(key)) {
    case 'prefix':
      return `invalid label key ${JSON.stringify(key)}: prefix must be a DNS-1123 subdomain`;
    case 'name':
      return `invalid label key ${JSON.stringify(key)}: name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`;
    case undefined:
      return undefined;
  }
}

/** Why `value` is not a valid label value, or `undefined` when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME_PART_RE.test(value)) {
    return `invalid label value ${JSON.stringify(value)}: must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`;
  }
  return undefined;
}

function compileRequirement(r: LabelRequirement): LabelMatcher {
  const key = r.key;
  switch (r.operator) {
    case 'Exists':
      return (l) => l !== undefined && Object.hasOwn(l, key);
    case 'DoesNotExist':
      return (l) => l === undefined || !Object.hasOwn(l, key);
    case 'In': {
      if (r.values.length === 1) {
        const v = r.values[0]!;
        return (l) => l !== undefined && Object.hasOwn(l, key) && l[key] === v;
      }
      const set = new Set(r.values);
      return (l) => l !== undefined && Object.hasOwn(l, key) && set.has(l[key]!);
    }
    case 'NotIn': {
      if (r.values.length === 1) {
        const v = r.values[0]!;
        return (l) => l === undefined || !Object.hasOwn(l, key) || l[key] !== v;
      }
      const set = new Set(r.values);
      return (l) => l === undefined || !Object.hasOwn(l, key) || !set.has(l[key]!);
    }
    default: {
      const never: never = r.operator;
      throw new Error(`unreachable operator ${String(never)}`);
    }
  }
}

/** Compiles already-validated requirements (ANDed) into one matcher. */
export function compileRequirements(reqs: readonly LabelRequirement[]): LabelMatcher {
  if (reqs.length === 0) return MATCH_EVERYTHING;
  const ms = reqs.map(compileRequirement);
  if (ms.length === 1) return ms[0]!;
  if (ms.length === 2) {
    const [a, b] = ms as [LabelMatcher, LabelMatcher];
    return (l) => a(l) && b(l);
  }
  return (l) => {
    for (let i = 0; i < ms.length; i++) if (!ms[i]!(l)) return false;
    return true;
  };
}

/**
 * Validates a structured selector and returns its requirements (matchLabels first, in key order of
 * the object, then matchExpressions). Throws ValidationError naming the field under `path`.
 */
export function labelSelectorRequirements(sel: LabelSelector, path = 'selector'): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (sel.matchLabels != null) {
    for (const [key, value] of Object.entries(sel.matchLabels)) {
      const p = `${path}.matchLabels.${key}`;
      const kp = labelKeyProblem(key);
      if (kp) throw new ValidationError(p, kp, 'INVALID_SELECTOR');
      if (typeof value !== 'string')
        throw new ValidationError(p, 'label value must be a string', 'INVALID_SELECTOR');
      const vp = labelValueProblem(value);
      if (vp) throw new ValidationError(p, vp, 'INVALID_SELECTOR');
      reqs.push({ key, operator: 'In', values: [value] });
    }
  }
  sel.matchExpressions?.forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const kp = labelKeyProblem(e.key ?? '');
    if (kp) throw new ValidationError(`${p}.key`, kp, 'INVALID_SELECTOR');
    if (!OPERATORS.has(e.operator)) {
      throw new ValidationError(
        `${p}.operator`,
        `unknown operator ${JSON.stringify(e.operator)}`,
        'INVALID_SELECTOR',
      );
    }
    const operator = e.operator as LabelOperator;
    const values = e.values ?? [];
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      throw new ValidationError(
        `${p}.values`,
        `must be non-empty when operator is ${operator}`,
        'INVALID_SELECTOR',
      );
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      throw new ValidationError(
        `${p}.values`,
        `must be empty when operator is ${operator}`,
        'INVALID_SELECTOR',
      );
    }
    values.forEach((v, j) => {
      const vp = typeof v === 'string' ? labelValueProblem(v) : 'label value must be a string';
      if (vp) throw new ValidationError(`${p}.values[${j}]`, vp, 'INVALID_SELECTOR');
    });
    reqs.push({ key: e.key, operator, values: [...values] });
  });
  return reqs;
}

/**
 * Compiles a structured label selector. `null`/`undefined` → matches nothing; `{}` → matches
 * everything (Kubernetes `LabelSelectorAsSelector`). Throws ValidationError for invalid selectors.
 */
export function compileLabelSelector(sel: LabelSelector | null | undefined, path = 'selector'): LabelMatcher {
  if (sel == null) return MATCH_NOTHING;
  return compileRequirements(labelSelectorRequirements(sel, path));
}

/**
 * Compiles a structured selector where a missing one means "no constraint" (e.g. a list filter that
 * was not given). Prefer {@link compileLabelSelector} for selectors read from object specs.
 */
export function compileOptionalLabelSelector(
  sel: LabelSelector | null | undefined,
  path = 'selector',
): LabelMatcher {
  return sel == null ? MATCH_EVERYTHING : compileLabelSelector(sel, path);
}

// ---------------------------------------------------------------------------------------------------
// String form, following apimachinery's labels.Parse lexer: identifiers are runs of characters that
// are neither whitespace nor one of `! = ( ) ,`; `in` and `notin` are keywords.

type TokKind = 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | 'eof';
interface Token {
  kind: TokKind;
  text: string;
  offset: number;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
function isSpecial(c: string): boolean {
  return c === '!' || c === '=' || c === '(' || c === ')' || c === ',';
}

function lex(text: string, path: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '!' || c === '=') {
      if (text[i + 1] === '=') {
        toks.push({ kind: c === '!' ? '!=' : '==', text: c + '=', offset: start });
        i += 2;
      } else {
        toks.push({ kind: c, text: c, offset: start });
        i++;
      }
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      toks.push({ kind: c, text: c, offset: start });
      i++;
      continue;
    }
    while (i < text.length && !isSpace(text[i]!) && !isSpecial(text[i]!)) i++;
    const word = text.slice(start, i);
    if (word.length === 0)
      throw new ValidationError(path, `offset ${start}: unexpected character ${JSON.stringify(c)}`);
    toks.push({ kind: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', text: word, offset: start });
  }
  toks.push({ kind: 'eof', text: '', offset: text.length });
  return toks;
}

// In value position the keywords are plain words (`a=in` and `a in (notin)` are valid).
function isWord(t: Token): boolean {
  return t.kind === 'id' || t.kind === 'in' || t.kind === 'notin';
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of input' : JSON.stringify(t.text);
}

/**
 * Parses the string form of a label selector into requirements. Supports `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k` (exists) and `!k` (does not exist), comma-separated and ANDed.
 * Throws ValidationError (code INVALID_SELECTOR) naming `path` and the character offset of the problem.
 */
export function parseSelectorString(text: string, path = 'labelSelector'): LabelRequirement[] {
  const toks = lex(text, path);
  let pos = 0;
  const peek = (): Token => toks[pos]!;
  const next = (): Token => toks[pos++]!;
  const fail = (t: Token, msg: string): never => {
    throw new ValidationError(path, `offset ${t.offset}: ${msg}`, 'INVALID_SELECTOR');
  };
  const checkKey = (t: Token): string => {
    const p = labelKeyProblem(t.text);
    if (p) fail(t, p);
    return t.text;
  };
  const checkValue = (t: Token): string => {
    const p = labelValueProblem(t.text);
    if (p) fail(t, p);
    return t.text;
  };

  const reqs: LabelRequirement[] = [];
  if (peek().kind === 'eof') return reqs;
  for (;;) {
    let t = next();
    if (t.kind === '!') {
      const k = next();
      if (k.kind !== 'id') fail(k, `expected a label key after "!", found ${describe(k)}`);
      reqs.push({ key: checkKey(k), operator: 'DoesNotExist', values: [] });
    } else {
      if (t.kind !== 'id') fail(t, `expected a label key, found ${describe(t)}`);
      const key = checkKey(t);
      const op = peek();
      if (op.kind === ',' || op.kind === 'eof') {
        reqs.push({ key, operator: 'Exists', values: [] });
      } else if (op.kind === '=' || op.kind === '==' || op.kind === '!=') {
        pos++;
        const v = peek();
        let value = '';
        // `k=` selects the empty value, as in Kubernetes.
        if (isWord(v)) {
          pos++;
          value = checkValue(v);
        } else if (v.kind !== ',' && v.kind !== 'eof') {
          fail(v, `expected a label value after ${JSON.stringify(op.text)}, found ${describe(v)}`);
        }
        reqs.push({ key, operator: op.kind === '!=' ? 'NotIn' : 'In', values: [value] });
      } else if (op.kind === 'in' || op.kind === 'notin') {
        pos++;
        const open = next();
        if (open.kind !== '(') fail(open, `expected "(" after ${op.text}, found ${describe(open)}`);
        const values: string[] = [];
        // Empty elements (`()`, `(a,)`, `(a,,b)`) stand for the empty label value, as in Kubernetes.
        let expectValue = true;
        for (;;) {
          const v = next();
          if (expectValue && isWord(v)) {
            values.push(checkValue(v));
            expectValue = false;
          } else if (v.kind === ',' || v.kind === ')') {
            if (expectValue) values.push('');
            if (v.kind === ')') break;
            expectValue = true;
          } else fail(v, `expected ${expectValue ? 'a label value, ' : ''}"," or ")", found ${describe(v)}`);
        }
        reqs.push({ key, operator: op.kind === 'in' ? 'In' : 'NotIn', values });
      } else {
        fail(op, `expected an operator (=, ==, !=, in, notin), "," or end of input, found ${describe(op)}`);
      }
    }
    t = next();
    if (t.kind === 'eof') break;
    if (t.kind !== ',') fail(t, `expected "," or end of input, found ${describe(t)}`);
  }
  return reqs;
}

/** Parses and compiles the string form of a label selector; `''` matches everything. */
export function compileSelectorString(text: string, path = 'labelSelector'): LabelMatcher {
  return compileRequirements(parseSelectorString(text, path));
}

// ---------------------------------------------------------------------------------------------------
// Field selectors.

/** Fields a field selector may name, as the API server supports for the kinds kreplay models. */
export const SELECTABLE_FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName'] as const;

/** One parsed field requirement. */
export interface FieldRequirement {
  readonly field: (typeof SELECTABLE_FIELDS)[number];
  readonly operator: '=' | '!=';
  readonly value: string;
}

const FIELD_TERM_RE = /^\s*([A-Za-z.]+)\s*(==|!=|=)\s*(.*?)\s*$/;

/**
 * Parses a field selector (`metadata.name=a,spec.nodeName!=`): comma-separated terms, each
 * `field=value`, `field==value` or `field!=value`; the value may be empty. Throws ValidationError naming
 * `path` and the offset of the bad term.
 */
export function parseFieldSelector(text: string, path = 'fieldSelector'): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (text.trim() === '') return out;
  let offset = 0;
  for (const term of text.split(',')) {
    const m = FIELD_TERM_RE.exec(term);
    if (!m) {
      throw new ValidationError(
        path,
        `offset ${offset}: expected field=value, field==value or field!=value, found ${JSON.stringify(term)}`,
        'INVALID_SELECTOR',
      );
    }
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!(SELECTABLE_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError(
        path,
        `offset ${offset + term.indexOf(field)}: unsupported field ${JSON.stringify(field)} (supported: ${SELECTABLE_FIELDS.join(', ')})`,
        'INVALID_SELECTOR',
      );
    }
    out.push({ field: field as FieldRequirement['field'], operator: op === '!=' ? '!=' : '=', value });
    offset += term.length + 1;
  }
  return out;
}

function fieldGetter(field: FieldRequirement['field']): (obj: KObject) => string {
  switch (field) {
    case 'metadata.name':
      return (o) => o.metadata?.name ?? '';
    case 'metadata.namespace':
      return (o) => o.metadata?.namespace ?? '';
    case 'spec.nodeName':
      return (o) => ((o.spec as { nodeName?: string } | undefined)?.nodeName ?? '') as string;
    default: {
      const never: never = field;
      throw new Error(`unreachable field ${String(never)}`);
    }
  }
}

/** Compiles parsed field requirements (ANDed). A missing field reads as the empty string. */
export function compileFieldRequirements(reqs: readonly FieldRequirement[]): FieldMatcher {
  const ms = reqs.map((r): FieldMatcher => {
    const get = fieldGetter(r.field);
    const v = r.value;
    return r.operator === '=' ? (o) => get(o) === v : (o) => get(o) !== v;
  });
  if (ms.length === 0) return () => true;
  if (ms.length === 1) return ms[0]!;
  return (o) => {
    for (let i = 0; i < ms.length; i++) if (!ms[i]!(o)) return false;
    return true;
  };
}

/** Parses and compiles a field selector; `''` matches everything. */
export function compileFieldSelector(text: string, path = 'fieldSelector'): FieldMatcher {
  return compileFieldRequirements(parseFieldSelector(text, path));
}
