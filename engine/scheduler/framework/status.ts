/**
 * Outcomes of plugin calls, as kube-scheduler's `framework.Status`: expected outcomes are values, only
 * unexpected failures are errors. Numeric codes match kube-scheduler's `framework.Code` so that per-node
 * verdicts fit in an Int8Array.
 */

/** Numeric status codes (kube-scheduler's `framework.Code` values). */
export const CODE = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
} as const;

/** Name of a status code. */
export type CodeName = keyof typeof CODE;

/** Code names by numeric code. */
export const CODE_NAMES: readonly CodeName[] = [
  'Success',
  'Error',
  'Unschedulable',
  'UnschedulableAndUnresolvable',
  'Wait',
  'Skip',
];

/**
 * Marks a node slot that is not to be evaluated by filters (a free slot, or a node outside a
 * PreFilterResult). Any non-zero entry of {@link FilterOutput.code} means "already decided: skip".
 */
export const CODE_NOT_EVALUATED = -1;

/** The result of a plugin call: a discriminated union on `code`. */
export type Status =
  | { readonly code: 'Success' }
  | { readonly code: 'Skip' }
  | { readonly code: 'Wait'; readonly plugin: string; readonly reasons: readonly string[] }
  | {
      readonly code: 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable';
      readonly plugin: string;
      readonly reasons: readonly string[];
    };

/** The shared Success status. */
export const SUCCESS: Status = Object.freeze({ code: 'Success' });
/** The shared Skip status (PreFilter/PreScore: this plugin has nothing to do for the pod). */
export const SKIP: Status = Object.freeze({ code: 'Skip' });

/** An Unschedulable status (a preemption could help). */
export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return { code: 'Unschedulable', plugin, reasons };
}

/** An UnschedulableAndUnresolvable status (preemption cannot help). */
export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', plugin, reasons };
}

/** An Error status: something unexpected, the attempt fails. */
export function errorStatus(plugin: string, message: string): Status {
  return { code: 'Error', plugin, reasons: [message] };
}

/** True for Success (and, where kube-scheduler treats it alike, nothing else). */
export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}

/** Checks a switch over status codes is exhaustive. */
export function assertNever(x: never): never {
  throw new Error(`unexpected status ${JSON.stringify(x)}`);
}
