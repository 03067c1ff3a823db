/**
 * Who holds a lease taken by a local run: `cli-<hostname>-<pid>-<random>`.
 * The random part keeps two runs of one process (watch mode) apart; the host
 * and pid let the file store tell a lease left by a process that died (kill
 * -9, a second Ctrl-C, a crash) from a live one, and take it over at once
 * instead of blocking the source until the lease expires.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const PREFIX = 'cli';

/** A fresh lease owner for a run in this process. */
export function localOwner(): string {
  return `${PREFIX}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/**
 * True only when `owner` is a local run on this host whose process no longer
 * exists. Anything else (a Lambda request id, another host, a live or
 * unknowable process) is false: the lease is then honoured until it expires.
 * Two containers with the same hostname sharing a state directory would defeat
 * this; container runtimes give each container a hostname of its own.
 */
export function deadLocalOwner(owner: string): boolean {
  const prefix = `${PREFIX}-${hostname()}-`;
  if (!owner.startsWith(prefix)) return false;
  const match = /^(\d+)-[A-Za-z0-9]+$/.exec(owner.slice(prefix.length));
  const pid = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
