import { DURATION_ANNOTATION, parseDurationUs } from './duration.js';
import { ValidationError } from './errors.js';
import { milliValueExact, parseQuantity, type ExactQuantity } from './quantity.js';
import {
  containerResourceNameProblem,
  isExtendedResourceName,
  isOvercommitAllowed,
} from './resource-names.js';
import { labelKeyProblem, labelValueProblem } from './selector.js';
import { CLUSTER_SCOPED, KINDS, type KObject, type ObjectMeta } from './types.js';

/**
 * Validation of objects entering the store (and of manifests as they are loaded). Checks only what
 * kreplay relies on: identity (kind, name, namespace), labels (selectors compare strings), every
 * resource quantity the scheduler and quota will parse later, container resource names and the
 * extended-resource rules (whole units, request = limit) the API server enforces, and a pod's
 * `kreplay.io/duration` the kubelet will parse, so that those never fail mid-run.
 * Errors are ValidationErrors whose path names the field: `spec.containers[0].resources.requests.cpu`.
 */

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names must be DNS-1123 labels (≤ 63, no dots); every other kind takes a subdomain. */
const LABEL_NAMED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'Service']);

/** Why `name` is not a DNS-1123 label (RFC 1123, ≤ 63 chars), or `undefined`. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length > 63) return `invalid name ${JSON.stringify(name)}: must be no more than 63 characters`;
  if (!DNS1123_LABEL_RE.test(name)) {
    return `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (≤ 253 chars), or `undefined`. */
export function dns1123SubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return `invalid name ${JSON.stringify(name)}: must be no more than 253 characters`;
  if (!DNS1123_SUBDOMAIN_RE.test(name)) {
    return `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Parses one quantity field, requiring it to be a valid, non-negative quantity. */
function quantityAt(value: unknown, path: string): ExactQuantity {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ValidationError(path, `invalid quantity ${JSON.stringify(value)}`, 'INVALID_QUANTITY');
  }
  const q = parseQuantity(value, path);
  if (q.num < 0n)
    throw new ValidationError(
      path,
      `must be greater than or equal to 0, got ${JSON.stringify(value)}`,
      'INVALID_QUANTITY',
    );
  return q;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quantityMap(map: unknown, path: string): Map<string, ExactQuantity> | undefined {
  if (map === undefined || map === null) return undefined;
  if (!isRecord(map)) throw new ValidationError(path, 'must be a map of resource name to quantity');
  const out = new Map<string, ExactQuantity>();
  for (const name of Object.keys(map)) out.set(name, quantityAt(map[name], `${path}.${name}`));
  return out;
}

/** a ≤ b for exact quantities, cross-multiplying to a common scale. */
function lessOrEqual(a: ExactQuantity, b: ExactQuantity): boolean {
  return a.num * 10n ** BigInt(b.scale) <= b.num * 10n ** BigInt(a.scale);
}

/**
 * A container's `requests` or `limits`: each name one a container may use (core validation's
 * validateContainerResourceName), each quantity valid and non-negative, and whole for an extended
 * resource (ValidateResourceQuantityValue).
 */
function containerResourceMap(map: unknown, path: string): Map<string, ExactQuantity> | undefined {
  if (map === undefined || map === null) return undefined;
  if (!isRecord(map)) throw new ValidationError(path, 'must be a map of resource name to quantity');
  const out = new Map<string, ExactQuantity>();
  for (const name of Object.keys(map)) {
    const at = `${path}.${name}`;
    const problem = containerResourceNameProblem(name);
    if (problem) throw new ValidationError(at, problem, 'INVALID_RESOURCE_NAME');
    const q = quantityAt(map[name], at);
    // As upstream, on the value in milli-units rounded up (so 1.9999 passes, counted as 2).
    if (q.scale > 0 && isExtendedResourceName(name) && milliValueExact(q) % 1000n !== 0n)
      throw new ValidationError(
        at,
        `must be an integer (${name} is an extended resource), got ${JSON.stringify(map[name])}`,
        'INVALID_QUANTITY',
      );
    out.set(name, q);
  }
  return out;
}

/** A container's limit for `name` as written, for messages. */
function limitOf(resources: Record<string, unknown>, name: string): string {
  return String((resources.limits as Record<string, unknown>)[name]);
}

/** a = b for exact quantities ("1" and "1000m" are equal). */
function sameQuantity(a: ExactQuantity, b: ExactQuantity): boolean {
  return (a.num === b.num && a.scale === b.scale) || (lessOrEqual(a, b) && lessOrEqual(b, a));
}

function validateContainers(list: unknown, path: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new ValidationError(path, 'must be a list of containers');
  for (let i = 0; i < list.length; i++) {
    const c: unknown = list[i];
    const cp = `${path}[${i}]`;
    if (!isRecord(c)) throw new ValidationError(cp, 'must be an object');
    const res = c.resources;
    if (res === undefined || res === null) continue;
    if (!isRecord(res)) throw new ValidationError(`${cp}.resources`, 'must be an object');
    const requests = containerResourceMap(res.requests, `${cp}.resources.requests`);
    const limits = containerResourceMap(res.limits, `${cp}.resources.limits`);
    if (requests && limits) {
      for (const [name, req] of requests) {
        const lim = limits.get(name);
        if (lim === undefined) continue;
        // Extended resources and hugepages cannot be overcommitted: a request equals its limit.
        const exact = !isOvercommitAllowed(name);
        if (exact ? !sameQuantity(req, lim) : !lessOrEqual(req, lim))
          throw new ValidationError(
            `${cp}.resources.requests.${name}`,
            exact
              ? `must be equal to ${name} limit of ${limitOf(res, name)} (${name} cannot be overcommitted)`
              : `must be less than or equal to ${name} limit of ${limitOf(res, name)}`,
          );
      }
    }
  }
}

function validateMetadata(obj: KObject, kind: string, old: KObject | undefined): void {
  const meta = obj.metadata;
  if (!isRecord(meta)) throw new ValidationError('metadata', 'required');
  const was = old?.metadata;
  // An update keeps name and namespace (the store checks): they were validated at create.
  if (was && meta.name === was.name && meta.namespace === was.namespace) {
    validateLabelsAndAnnotations(meta, was);
    return;
  }
  const name = meta.name;
  const namedAs = LABEL_NAMED_KINDS.has(kind) ? dns1123LabelProblem : dns1123SubdomainProblem;
  if (name !== undefined && name !== '') {
    if (typeof name !== 'string') throw new ValidationError('metadata.name', 'must be a string');
    const p = namedAs(name);
    if (p) throw new ValidationError('metadata.name', p, 'INVALID_NAME');
  } else if (typeof meta.generateName === 'string' && meta.generateName !== '') {
    // The prefix may end in '-'; what matters is that prefix + suffix makes a valid name.
    if (namedAs(meta.generateName.slice(0, 58) + 'x')) {
      const what = LABEL_NAMED_KINDS.has(kind) ? 'RFC 1123 label' : 'RFC 1123 subdomain';
      throw new ValidationError(
        'metadata.generateName',
        `invalid prefix ${JSON.stringify(meta.generateName)}: followed by a generated suffix it must make a lowercase ${what}`,
        'INVALID_NAME',
      );
    }
  } else {
    throw new ValidationError('metadata.name', 'name or generateName is required', 'INVALID_NAME');
  }
  const ns = meta.namespace;
  if (ns !== undefined && ns !== '' && !CLUSTER_SCOPED.has(kind)) {
    if (typeof ns !== 'string') throw new ValidationError('metadata.namespace', 'must be a string');
    const p = dns1123LabelProblem(ns);
    if (p) throw new ValidationError('metadata.namespace', p, 'INVALID_NAME');
  }
  validateLabelsAndAnnotations(meta, was);
}

function validateLabelsAndAnnotations(meta: ObjectMeta, was: ObjectMeta | undefined): void {
  // Labels are immutable-by-reference on most updates (spreads of the old object); skip re-checking.
  if (meta.labels != null && meta.labels !== was?.labels) {
    if (!isRecord(meta.labels)) throw new ValidationError('metadata.labels', 'must be a map of strings');
    for (const key of Object.keys(meta.labels)) {
      const path = `metadata.labels.${key}`;
      const kp = labelKeyProblem(key);
      if (kp) throw new ValidationError(path, kp, 'INVALID_LABEL');
      const v: unknown = meta.labels[key];
      if (typeof v !== 'string')
        throw new ValidationError(
          path,
          `label value must be a string, got ${JSON.stringify(v)}`,
          'INVALID_LABEL',
        );
      const vp = labelValueProblem(v);
      if (vp) throw new ValidationError(path, vp, 'INVALID_LABEL');
    }
  }
  if (meta.annotations != null && meta.annotations !== was?.annotations) {
    if (!isRecord(meta.annotations))
      throw new ValidationError('metadata.annotations', 'must be a map of strings');
    for (const key of Object.keys(meta.annotations)) {
      if (typeof meta.annotations[key] !== 'string') {
        throw new ValidationError(`metadata.annotations.${key}`, 'annotation value must be a string');
      }
    }
  }
}

/**
 * Whether a pod spec's containers and overhead are the very ones of the stored spec `was` (a binding
 * or another spread of the old spec): those were validated when `was` was stored.
 */
function sameResources(spec: Record<string, unknown>, was: unknown): boolean {
  if (!isRecord(was)) return false;
  return (
    spec.containers === was.containers &&
    spec.initContainers === was.initContainers &&
    spec.overhead === was.overhead
  );
}

const PERCENT_RE = /^[0-9]+%$/;

/** A Deployment's maxSurge or maxUnavailable: a non-negative integer or a percentage (`25%`). */
function validateIntOrPercent(v: unknown, path: string): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'string') {
    if (!PERCENT_RE.test(v))
      throw new ValidationError(
        path,
        `invalid value ${JSON.stringify(v)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%')`,
        'INVALID_INT_OR_PERCENT',
      );
    return;
  }
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new ValidationError(
      path,
      `must be an integer or a percentage (e.g. '5%'), got ${JSON.stringify(v)}`,
      'INVALID_INT_OR_PERCENT',
    );
  if (v < 0)
    throw new ValidationError(path, `must be greater than or equal to 0, got ${v}`, 'INVALID_INT_OR_PERCENT');
}

// Specs (and node statuses) already found valid. Objects handed to the store are immutable, and
// controllers stamp many pods from one template spec, so each shared spec is checked once.
const validParts = new WeakSet<object>();

/**
 * Validates an object at the store boundary; throws ValidationError naming the field path.
 *
 * With `old` (an update), parts that are the very same reference as in `old` were validated when
 * `old` was stored and are skipped, which keeps pod binding and status updates cheap.
 */
export function validateObject(obj: KObject, old?: KObject): void {
  if (!isRecord(obj)) throw new ValidationError('', 'object must be a map');
  const kind = obj.kind;
  if (typeof kind !== 'string' || kind === '') throw new ValidationError('kind', 'required');
  if (!Object.hasOwn(KINDS, kind)) {
    throw new ValidationError(
      'kind',
      `unknown kind ${JSON.stringify(kind)} (known: ${Object.keys(KINDS).join(', ')})`,
      'UNKNOWN_KIND',
    );
  }
  validateMetadata(obj, kind, old);
  const spec = obj.spec;
  const specChanged = spec !== old?.spec && !(isRecord(spec) && validParts.has(spec));
  if (spec !== undefined && spec !== null && !isRecord(spec))
    throw new ValidationError('spec', 'must be an object');
  switch (kind) {
    case 'Pod': {
      const annotations = obj.metadata?.annotations;
      if (annotations != null && annotations !== old?.metadata?.annotations) {
        const d = annotations[DURATION_ANNOTATION];
        if (d !== undefined) parseDurationUs(d, `metadata.annotations.${DURATION_ANNOTATION}`);
      }
      if (specChanged && isRecord(spec) && !sameResources(spec, old?.spec)) {
        validateContainers(spec.initContainers, 'spec.initContainers');
        validateContainers(spec.containers, 'spec.containers');
        quantityMap(spec.overhead, 'spec.overhead');
        validParts.add(spec);
      }
      break;
    }
    case 'Node': {
      const status = obj.status;
      if (status !== old?.status && isRecord(status) && !validParts.has(status)) {
        quantityMap(status.capacity, 'status.capacity');
        quantityMap(status.allocatable, 'status.allocatable');
        validParts.add(status);
      }
      break;
    }
    case 'Deployment':
      if (specChanged && isRecord(spec)) {
        const strategy = spec.strategy;
        const ru = isRecord(strategy) ? strategy.rollingUpdate : undefined;
        if (isRecord(ru)) {
          validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
          validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
        }
        validParts.add(spec);
      }
      break;
    case 'ResourceQuota':
      if (specChanged && isRecord(spec)) {
        quantityMap(spec.hard, 'spec.hard');
        validParts.add(spec);
      }
      break;
    default:
      break;
  }
}
