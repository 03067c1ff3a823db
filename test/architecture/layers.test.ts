/**
 * The architecture rules of .dependency-cruiser.cjs (layers that point down, no
 * file or folder cycle), checked with dependency-cruiser over the real tree,
 * and over a small broken tree to prove the rules catch what they are for.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = fileURLToPath(new URL('../../.dependency-cruiser.cjs', import.meta.url));
const bin = fileURLToPath(new URL('../../node_modules/.bin/depcruise', import.meta.url));

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

async function cruise(cwd: string, folders: string[]): Promise<{ violations: Violation[]; modules: number }> {
  const { stdout } = await promisify(execFile)(bin, [...folders, '--config', config, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const report = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: report.summary.violations, modules: report.summary.totalCruised };
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

describe('architecture', () => {
  it('the product code has no import cycle and no upward import', async () => {
    const { violations, modules } = await cruise(root, ['shared', 'cli', 'infra', 'functions', 'bin', 'simulators', 'bench']);
    expect(modules).toBeGreaterThan(100);
    expect(violations.map(describeViolation)).toEqual([]);
  }, 120_000);

  it('the rules catch an upward import, a folder cycle, a file cycle and a vendor reached from generic code', async () => {
    const broken = fileURLToPath(new URL('./fixtures/broken', import.meta.url));
    const { violations } = await cruise(broken, ['shared']);
    expect(violations.map(describeViolation).sort()).toEqual([
      'no-file-cycle: shared/config/limits.ts -> shared/cursor/store.ts',
      'no-file-cycle: shared/providers/acme/logs/definition.ts -> shared/providers/acme/logs/source.ts',
      'no-folder-cycle: shared/config -> shared/cursor',
      'no-folder-cycle: shared/cursor -> shared/config',
      'no-upward-from-adapters: shared/cursor/store.ts -> shared/config/limits.ts',
      'no-upward-from-library: shared/lib/clock.ts -> shared/core/window.ts',
      'no-vendor-in-generic-code: shared/sinks/acme-tags.ts -> shared/providers/acme/logs/definition.ts',
    ]);
  }, 120_000);
});
