/**
 * Named operational errors. Input and config are validated once at the boundary and throw one of
 * these with a stable `code` and a location; only `cli/` maps them to exit codes and messages.
 */
export class KreplayError extends Error {
  /** Stable machine-readable code, e.g. `INVALID_QUANTITY`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A value in an object or config failed validation; `path` is the field path (`spec.containers[0]...`). */
export class ValidationError extends KreplayError {
  readonly path: string;
  /** The message without the path (for callers that name the place their own way). */
  readonly detail: string;
  constructor(path: string, message: string, code = 'INVALID_FIELD') {
    super(code, path ? `${path}: ${message}` : message);
    this.path = path;
    this.detail = message;
  }
}

/** A row, document or line of an input file could not be read. The message starts with `file:line:`. */
export class InputError extends KreplayError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(
    file: string,
    line: number | undefined,
    field: string | undefined,
    message: string,
    code = 'BAD_INPUT',
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(code, field ? `${where}: ${field}: ${message}` : `${where}: ${message}`);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Base of the store's API errors; `kind` and `key` name the object the call was about. */
export class ApiError extends KreplayError {
  readonly kind: string;
  readonly key: string;
  constructor(code: string, kind: string, key: string, message: string) {
    super(code, message);
    this.kind = kind;
    this.key = key;
  }
}

/** The object does not exist (HTTP 404). */
export class NotFoundError extends ApiError {
  constructor(kind: string, key: string) {
    super('NOT_FOUND', kind, key, `${kind} ${JSON.stringify(key)} not found`);
  }
}

/** An object with that key already exists (HTTP 409 AlreadyExists). */
export class AlreadyExistsError extends ApiError {
  constructor(kind: string, key: string) {
    super('ALREADY_EXISTS', kind, key, `${kind} ${JSON.stringify(key)} already exists`);
  }
}

/** A precondition (resourceVersion or uid) did not hold: the caller's copy is stale (HTTP 409 Conflict). */
export class ConflictError extends ApiError {
  constructor(kind: string, key: string, detail: string) {
    super(
      'CONFLICT',
      kind,
      key,
      `${kind} ${JSON.stringify(key)}: ${detail}; the object has been modified, read it again`,
    );
  }
}

/** An admission plugin refused the request (HTTP 403). */
export class ForbiddenError extends ApiError {
  constructor(kind: string, key: string, reason: string) {
    super('FORBIDDEN', kind, key, `${kind} ${JSON.stringify(key)} is forbidden: ${reason}`);
  }
}

/** A watch asked to resume from a resourceVersion older than the retained history (HTTP 410 Gone). */
export class GoneError extends KreplayError {
  readonly resourceVersion: number;
  readonly oldestRetained: number;
  constructor(resourceVersion: number, oldestRetained: number) {
    super(
      'GONE',
      `too old resource version: ${resourceVersion} (oldest retained event is ${oldestRetained}); list again and watch from the list's resourceVersion`,
    );
    this.resourceVersion = resourceVersion;
    this.oldestRetained = oldestRetained;
  }
}
