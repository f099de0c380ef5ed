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
  constructor(path: string, message: string, code = 'INVALID_FIELD') {
    super(code, path ? `${path}: ${message}` : message);
    this.path = path;
  }
}

/** A row, document or line of an input file could not be read. The message starts with `file:line:`. */
export class InputError extends KreplayError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(file: string, line: number | undefined, field: string | undefined, message: string, code = 'BAD_INPUT') {
    const where = line === undefined ? file : `${file}:${line}`;
    super(code, field ? `${where}: ${field}: ${message}` : `${where}: ${message}`);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}
