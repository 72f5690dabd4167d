import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ArboretumError } from '../../../schemas/errors.ts';

/** Who holds a lock: the pid, and what makes the pid unique over time (start time since boot, boot id). */
interface Holder {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot when the process started; undefined off Linux. */
  readonly start?: string;
  readonly boot?: string;
}

/** Start time of a process (field 22 of /proc/PID/stat), or undefined (no /proc, or no such process). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function me(): Holder {
  return { pid: process.pid, start: processStart(process.pid), boot: bootId() };
}

/**
 * An exclusive lock file naming its holder (pid, process start time, boot id). A lock is stale, and taken over,
 * when its process is gone, or its pid now belongs to another process (started at another time, or the machine
 * rebooted: a container restarted with us as PID 1 again). A live holder, this process included, makes the
 * acquirer fail with LOG_LOCKED. Lock files holding only a pid (older) are judged by the pid alone.
 */
export function acquireLock(path: string, what: string): () => void {
  const self = me();
  const text = JSON.stringify(self);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, text);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8') === text) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(path);
    if (owner && holds(owner)) {
      throw new ArboretumError(
        'LOG_LOCKED',
        `${what} is being written by process ${owner.pid}${owner.pid === process.pid ? ' (this process)' : ''}: one writer at a time (lock file ${path})`,
        { context: { file: path } },
      );
    }
    try {
      unlinkSync(path); // stale: its holder is gone (the lock file is ours to manage; it holds no data)
    } catch {
      // Another process took it over first; try again.
    }
  }
  throw new ArboretumError('LOG_LOCKED', `${what}: could not take the lock file ${path}`, {
    context: { file: path },
  });
}

/** True when the lock's holder is still the process that took it. */
function holds(owner: Holder): boolean {
  if (!isAlive(owner.pid)) return false;
  if (owner.boot !== undefined && bootId() !== undefined && owner.boot !== bootId()) return false;
  if (owner.start !== undefined) {
    const now = processStart(owner.pid);
    if (now !== undefined && now !== owner.start) return false;
  }
  return true;
}

function readOwner(path: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && h.pid > 0 ? h : undefined;
  } catch {
    return undefined; // not a lock we can read: treat as stale
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
