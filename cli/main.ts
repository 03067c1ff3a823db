import { CommanderError } from 'commander';
import { EXIT } from './exit-codes';
import { describeFailure } from './failure';
import { exitQuietlyOnClosedPipe, writeJson, type CommandIo } from './io';
import { buildProgram } from './program';

/**
 * Runs one command line and resolves with the exit code; never throws, so no
 * stack trace reaches a user unless they ask for it with --verbose.
 */
export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  if (io === process) {
    exitQuietlyOnClosedPipe(process.stdout);
    exitQuietlyOnClosedPipe(process.stderr);
  }
  let code: number = EXIT.ok;
  const program = buildProgram(io, (result) => (code = result));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Commander has already printed its message (usage errors) or the help and version it was asked for.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const failure = describeFailure(error);
    io.stderr.write(`${failure.message}\n`);
    if (argv.includes('--verbose') || argv.includes('-v')) io.stderr.write(`${(error as Error).stack ?? ''}\n`);
    if (argv.includes('--json')) writeJson(io, { error: { kind: failure.kind, message: failure.message } });
    return failure.code;
  }
}
