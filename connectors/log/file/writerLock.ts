import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ArboretumError } from '../../../schemas/errors.ts';

/**
 * An exclusive lock file holding the owner's pid. A lock whose process is gone (kill -9) is taken over;
 * a live owner, this process included, makes the acquirer fail with LOG_LOCKED.
 */
export function acquireLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(readOwner(path));
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new ArboretumError(
        'LOG_LOCKED',
        `${what} is being written by process ${owner}${owner === process.pid ? ' (this process)' : ''}: one writer at a time (lock file ${path})`,
      );
    }
    try {
      unlinkSync(path); // stale: its owner died without releasing it
    } catch {
      // Another process took it over first; try again.
    }
  }
  throw new ArboretumError('LOG_LOCKED', `${what}: could not take the lock file ${path}`);
}

function readOwner(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
