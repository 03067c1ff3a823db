import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfigFile } from '../../shared/config/load';
import { systemClock, type Clock } from '../../shared/lib/clock';
import type { SourceState } from '../../shared/core/ports/cursor-store';
import { buildStatusReport, formatStatusReport } from '../../shared/ops/status-report';
import { resolveTarget } from '../../shared/ops/target';
import { registry } from '../../shared/providers/registry';
import { EXIT } from '../exit-codes';
import type { CommandIo } from '../io';

export interface StatusCommandOptions {
  configPath: string;
  /** Deployed: read the cursor table named by this stack's outputs. */
  stack?: string;
  /** Deployed: read this cursor table directly. */
  table?: string;
  /** Deployed with the default stack name (`--deployed`). */
  deployed?: boolean;
  clock?: Clock;
  cloudFormation?: CloudFormationClient;
  dynamoDb?: DynamoDBClient;
  /** Print the rows as one JSON document. */
  json?: boolean;
  io?: CommandIo;
  write?: (text: string) => void;
}

/** `cloudtap status`: one block per configured source instance. Exits 1 when an enabled source's last run failed. */
export async function statusCommand(options: StatusCommandOptions): Promise<number> {
  const config = await loadConfigFile(options.configPath, registry);
  const clock = options.clock ?? systemClock;
  const target = await resolveTarget({
    local: config.local,
    sources: config.sources,
    stack: options.stack,
    table: options.table,
    deployed: options.deployed,
    cloudFormation: options.cloudFormation,
    dynamoDb: options.dynamoDb,
    clock,
  });
  const states = new Map<string, SourceState | undefined>();
  await Promise.all(config.sources.map(async (source) => states.set(source.id, await target.store.read(source.id))));
  const now = clock.now();
  const rows = buildStatusReport(config.sources, states, now);
  const write = options.write ?? ((text) => (options.io ?? process).stdout.write(text));
  write(
    options.json
      ? `${JSON.stringify({ target: target.describe, at: new Date(now).toISOString(), sources: rows }, null, 2)}\n`
      : `${formatStatusReport(rows, now, target.describe)}\n`,
  );
  return rows.some((row) => row.enabled && row.health === 'failing') ? EXIT.failed : EXIT.ok;
}
