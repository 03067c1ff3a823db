import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The command `cloudtap` (package.json "bin"); it runs the bundle vitest's globalSetup builds. */
export const launcher = join(repositoryRoot, 'bin/cloudtap.js');

/** The command line that starts the CLI, for tests that need a shell around it (pipes). */
export const cliCommand: readonly string[] = [process.execPath, launcher];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI as a user would, in its own process, on the Node running the tests; never throws on a non-zero exit. */
export async function cloudtap(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [launcher, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * Start the CLI as a user would and hand back its process, to talk to it while
 * it runs (send it signals). `detached` puts it in a process group of its own,
 * so `process.kill(-child.pid, signal)` reaches it as Ctrl-C in a terminal
 * reaches the foreground job: tsx and the node process it runs alike.
 */
export function spawnCloudtap(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; detached?: boolean }): ChildProcess {
  return spawn(cliCommand[0]!, [...cliCommand.slice(1), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
}
