import type { Log } from '../shared/lib/logger';

/** A human-readable Log for the terminal: warnings and errors on stderr, debug only when verbose. */
export function consoleLog(verbose: boolean, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Log {
  const emit = (level: string, message: string, extra?: Record<string, unknown>) =>
    write(`${level} ${message}${extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''}`);
  return {
    debug: (message, extra) => verbose && emit('debug', message, extra),
    info: (message, extra) => verbose && emit('info ', message, extra),
    warn: (message, extra) => emit('warn ', message, extra),
    error: (message, extra) => emit('error', message, extra),
  };
}
