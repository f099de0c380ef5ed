/**
 * JSON merge patches (RFC 7386) between two versions of an object: the event log records a pod's
 * updates as the patch from its previous version instead of the whole object (a pod is ~1 KB and is
 * written four or five times in its life; its updates change a few fields).
 *
 * Store objects are immutable values whose unchanged parts are shared between versions, so the diff
 * skips shared sub-objects by identity and only walks what was rebuilt.
 */

/** A JSON object. */
export type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The merge patch that turns `from` into `to`: changed members with their new value (objects
 * recursively, arrays and scalars whole), removed members as `null`. `undefined` members count as
 * absent. Empty object when nothing changed. Values equal in content but rebuilt (a new array with the
 * same items) may appear in the patch: applying it still gives `to`.
 */
export function mergePatch(from: Json, to: Json): Json {
  const patch: Json = {};
  for (const k in to) {
    const b = to[k];
    if (b === undefined) continue;
    const a = from[k];
    if (a === b) continue;
    if (isPlainObject(a) && isPlainObject(b)) {
      const sub = mergePatch(a, b);
      if (!isEmpty(sub)) patch[k] = sub;
    } else patch[k] = b;
  }
  for (const k in from) if (from[k] !== undefined && to[k] === undefined) patch[k] = null;
  return patch;
}

function isEmpty(o: Json): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

/** Applies a merge patch (RFC 7386) to `target`, returning a new object; `target` is not modified. */
export function applyMergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const k in patch) {
    const p = patch[k];
    if (p === null) delete out[k];
    else if (isPlainObject(p)) out[k] = applyMergePatch(isPlainObject(out[k]) ? out[k] : {}, p);
    else out[k] = p;
  }
  return out;
}
