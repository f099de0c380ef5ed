/** A file-system error in words for a one-line message (`permission denied`), its code otherwise. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EEXIST':
      return 'exists and is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'ENOENT':
      // mkdir of a missing level fails this way only where the parent refuses new entries (/proc).
      return e.syscall === 'mkdir' ? 'the folder cannot be created there' : 'no such file or directory';
    default:
      return e?.message ?? String(err);
  }
}
