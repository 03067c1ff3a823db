/**
 * Where cloudtap's state lives for the operations commands: locally the file
 * store under `config.local.stateDir`; deployed, the DynamoDB cursor table
 * (and the Firehose delivery stream) named by the CloudFormation stack's outputs.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import type { LocalConfig } from '../config/schema';
import type { Clock } from '../lib/clock';
import { ConfigError } from '../lib/errors';
import { DynamoDbCursorStore } from '../cursor/dynamodb-store';
import { FileCursorStore } from '../cursor/file-store';
import type { CursorStore, RangeResolutionStore } from '../core/ports/cursor-store';
import type { SourceInstanceConfig } from '../providers/definition';

export const DEFAULT_STACK = 'Cloudtap';
/** Output keys of infra/stack.ts. */
export const STACK_OUTPUTS = { cursorTable: 'CursorTableName', deliveryStream: 'DeliveryStreamName' } as const;

/** Cursors, and the small records beside them (remembered backfill ranges). */
export type OpsStore = CursorStore & RangeResolutionStore;

export type OpsTarget =
  | { kind: 'local'; store: OpsStore; stateDir: string; describe: string }
  | { kind: 'deployed'; store: OpsStore; tableName: string; deliveryStreamName?: string; describe: string };

export interface ResolveTargetOptions {
  local: LocalConfig;
  /** The configured instances: deployed, an instance's cursor item is keyed by its type. */
  sources: readonly Pick<SourceInstanceConfig, 'id' | 'type'>[];
  /** Deployed: the stack whose outputs name the table (`--stack`; `Cloudtap` by default when `deployed`). */
  stack?: string;
  /** Deployed: the cursor table named directly (`--table`), skipping CloudFormation. */
  table?: string;
  deployed?: boolean;
  cloudFormation?: CloudFormationClient;
  dynamoDb?: DynamoDBClient;
  clock?: Clock;
}

export async function resolveTarget(options: ResolveTargetOptions): Promise<OpsTarget> {
  if (!options.deployed && options.stack === undefined && options.table === undefined) {
    const stateDir = options.local.stateDir;
    return { kind: 'local', stateDir, store: new FileCursorStore({ directory: stateDir, clock: options.clock }), describe: `local state ${stateDir}` };
  }
  const dynamoDb = options.dynamoDb ?? new DynamoDBClient({});
  const sourceType = typeOfKey(options.sources);
  if (options.table !== undefined) {
    return {
      kind: 'deployed',
      tableName: options.table,
      store: new DynamoDbCursorStore({ tableName: options.table, client: dynamoDb, clock: options.clock, sourceType }),
      describe: `DynamoDB table ${options.table}`,
    };
  }
  const stackName = options.stack ?? DEFAULT_STACK;
  const outputs = await stackOutputs(options.cloudFormation ?? new CloudFormationClient({}), stackName);
  const tableName = outputs[STACK_OUTPUTS.cursorTable];
  if (!tableName) throw new ConfigError(`stack ${stackName}`, [`has no output ${STACK_OUTPUTS.cursorTable}; is it a cloudtap stack?`]);
  return {
    kind: 'deployed',
    tableName,
    deliveryStreamName: outputs[STACK_OUTPUTS.deliveryStream],
    store: new DynamoDbCursorStore({ tableName, client: dynamoDb, clock: options.clock, sourceType }),
    describe: `stack ${stackName} (table ${tableName})`,
  };
}

/**
 * The type of a cursor key's instance: the key is the instance id, or a
 * backfill's `<id>~backfill~<from>-<to>` (ids never hold a `~`).
 */
function typeOfKey(sources: ResolveTargetOptions['sources']): (key: string) => string {
  const types = new Map(sources.map((source) => [source.id, source.type]));
  return (key) => {
    const id = key.split('~')[0]!;
    const type = types.get(id);
    if (type === undefined) throw new Error(`no configured source "${id}": its cursor item is keyed by its type`);
    return type;
  };
}

/** The stack's outputs by key; a missing stack is a ConfigError naming it. */
export async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError') throw new ConfigError(`--stack ${stackName}`, [e.message ?? 'stack not found']);
    throw error;
  }
  const stack = stacks?.[0];
  if (!stack) throw new ConfigError(`--stack ${stackName}`, ['stack not found']);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
  return outputs;
}

/** Backfill progress (and remembered ranges) of a local target lives beside, never inside, the live cursors. */
export function backfillStore(target: OpsTarget, clock?: Clock): OpsStore {
  return target.kind === 'local' ? new FileCursorStore({ directory: join(target.stateDir, 'backfill'), clock }) : target.store;
}
