/**
 * What `cloudtap` exits with, for schedulers and scripts (docs/cli.md lists
 * them). Codes above 128 follow the shell's convention for a signal.
 */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** A source failed, a backfill stopped before the end of its range, or replay left objects behind. */
  failed: 1,
  /** The command line or the configuration is wrong; nothing was pulled or sent. */
  usage: 2,
  /** A source was skipped because another run holds its lease; nothing failed, but it was not pulled. */
  skipped: 3,
  /** AWS could not be used: no credentials, no region, or credentials refused. Nothing was changed. */
  aws: 4,
  /** Stopped by SIGINT (Ctrl-C) after checkpointing what was delivered. */
  interrupted: 130,
  /** Stopped by SIGTERM after checkpointing what was delivered. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
