import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DISPATCH_TABLE_FILE, FUNCTION_ENV, type DispatchTable } from '../../shared/runtime/invocation';
import { cloudtapFunction } from './cloudtap-function';
import type { CursorTable } from './cursor-table';
import { ENVELOPE_WRITE_ACTIONS, grantKeyUse } from './encryption-key';

/**
 * What the dispatcher sends the cursor table: a Scan every fifth minute (stalled
 * instances, legacy cursors to migrate), and for the migration Get, Put (the typed
 * item) and Delete (the legacy one), in one TransactWriteItems. No UpdateItem: it
 * never takes a lease or moves a cursor.
 */
export const DISPATCHER_TABLE_ACTIONS = ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

export interface DispatcherProps {
  /** The enabled instances and their secrets' names, written beside the code. */
  readonly table: DispatchTable;
  /** Source type -> its pull queue. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  readonly cursorTable: CursorTable;
  /** The queues' key. */
  readonly encryptionKey: kms.IKey;
  /** functions/dispatch/handler.ts. */
  readonly entry: string;
  readonly projectRoot: string;
  /** Where Lambda sends an invocation that failed (the stack's failed-invocations queue). */
  readonly onFailure: lambda.IDestination;
}

/**
 * One rule firing every minute and one function that sends each instance due in
 * that minute to its type's queue, spread over the minute. The only schedule in
 * the stack, whatever the number of instances.
 */
export class Dispatcher extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;
  /** What the function reads beside its code (DISPATCH_TABLE_FILE). */
  readonly table: DispatchTable;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    this.table = props.table;
    const queues = Object.fromEntries([...props.queues].map(([type, queue]) => [type, queue.queueUrl]));
    this.function = cloudtapFunction(this, {
      description: 'cloudtap dispatcher: sends due source instances to their pull queues',
      entry: props.entry,
      projectRoot: props.projectRoot,
      memorySize: 256,
      // One invocation covers one minute; the next minute has its own.
      timeout: Duration.minutes(1),
      environment: {
        [FUNCTION_ENV.queues]: Stack.of(this).toJsonString(queues),
        [FUNCTION_ENV.tableName]: props.cursorTable.table.tableName,
        [FUNCTION_ENV.stackName]: Stack.of(this).stackName,
      },
      files: { [DISPATCH_TABLE_FILE]: JSON.stringify(props.table) },
    });
    this.function.configureAsyncInvoke({
      // A retried minute would send its starts twice; the next minute dispatches its own.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      onFailure: props.onFailure,
    });

    this.rule = new events.Rule(this, 'EveryMinute', {
      description: 'cloudtap: dispatch the source instances due this minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // Retries cover a throttled invoke; a minute late, the minute is over.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(1) })],
    });

    const queueArns = [...props.queues.values()].map((queue) => queue.queueArn);
    if (queueArns.length > 0) {
      iam.Grant.addToPrincipal({ grantee: this.function, actions: ['sqs:SendMessage'], resourceArns: queueArns });
      grantKeyUse(props.encryptionKey, this.function, 'sqs', ENVELOPE_WRITE_ACTIONS, { 'aws:sqs:arn': queueArns });
    }
    iam.Grant.addToPrincipal({ grantee: this.function, actions: [...DISPATCHER_TABLE_ACTIONS], resourceArns: [props.cursorTable.table.tableArn] });
    props.cursorTable.grantKeyUse(this.function);
  }
}
