import { qualifiedNameProblem } from './selector.js';

/**
 * Kinds of resource names, as Kubernetes' core helpers classify them (`pkg/apis/core/helper`): native
 * names (no domain, or a `*kubernetes.io/` one), hugepages, and extended resources (any other domain),
 * which are counted in whole units and cannot be overcommitted.
 */

const REQUESTS_PREFIX = 'requests.';
const HUGEPAGES_PREFIX = 'hugepages-';
/** Container resources named without a domain (besides `hugepages-<size>`). */
const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** IsNativeResource: no domain, or one in the `*kubernetes.io/` namespace. */
export function isNativeResourceName(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** IsHugePageResourceName: `hugepages-<size>`. */
export function isHugePageResourceName(name: string): boolean {
  return name.startsWith(HUGEPAGES_PREFIX);
}

/**
 * IsExtendedResourceName: a domain-prefixed name outside `kubernetes.io/`, not `requests.*`, whose
 * quota name `requests.<name>` is a qualified name (a label key's syntax).
 */
export function isExtendedResourceName(name: string): boolean {
  let v = extendedNames.get(name);
  if (v === undefined) {
    v =
      !isNativeResourceName(name) &&
      !name.startsWith(REQUESTS_PREFIX) &&
      qualifiedNameProblem(`${REQUESTS_PREFIX}${name}`) === undefined;
    extendedNames.set(name, v);
  }
  return v;
}
// Checked per pod and resource in Filter's setup; a cluster has few resource names.
const extendedNames = new Map<string, boolean>();

/**
 * IsOvercommitAllowed: whether a container may request less than its limit (native resources other
 * than hugepages); for the others a request must equal the limit when both are given.
 */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResourceName(name) && !isHugePageResourceName(name);
}

/**
 * Why `name` cannot name a container's request or limit, or `undefined` when it can (the rules of
 * core validation's validateContainerResourceName): without a domain it must be cpu, memory,
 * ephemeral-storage or hugepages-<size>; with one it must be a qualified name, and outside
 * `kubernetes.io/` an extended resource name.
 */
export function containerResourceNameProblem(name: string): string | undefined {
  if (validContainerNames.has(name)) return undefined;
  const problem = containerNameProblem(name);
  if (problem !== undefined) return `invalid resource name ${JSON.stringify(name)}: ${problem}`;
  // Only valid names are remembered: a pod's few names repeat across every pod of a trace.
  if (validContainerNames.size >= VALID_NAMES_LIMIT) validContainerNames.clear();
  validContainerNames.add(name);
  return undefined;
}
const validContainerNames = new Set<string>();
const VALID_NAMES_LIMIT = 4096;

function containerNameProblem(name: string): string | undefined {
  if (!name.includes('/')) {
    return STANDARD_CONTAINER_RESOURCES.has(name) || isHugePageResourceName(name)
      ? undefined
      : 'must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a domain-qualified name (e.g. example.com/foo)';
  }
  switch (qualifiedNameProblem(name)) {
    case 'prefix':
      return "the prefix before '/' must be a lowercase DNS-1123 subdomain";
    case 'name':
      return "the name after the prefix must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric";
    case undefined:
      break;
  }
  if (!isNativeResourceName(name) && !isExtendedResourceName(name))
    return 'not a valid extended resource name (a domain-qualified name outside kubernetes.io/ must not start with "requests." and must stay a qualified name as "requests.<name>")';
  return undefined;
}
