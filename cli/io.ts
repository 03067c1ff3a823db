/** Where a command writes, and what it may assume about the terminal. */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** One JSON document, the whole of stdout in `--json` mode. */
export function writeJson(io: Pick<CommandIo, 'stdout'>, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `cloudtap status | head` closes stdout early: that is the reader's choice,
 * not a failure, so the process ends quietly instead of with an EPIPE trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = process.exit): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}
