/**
 * dynalite has no transactions (test/support/dynamodb.ts). This puts a
 * TransactWriteItems of Put, Delete and Update items in front of it, over the
 * same wire protocol, so the dispatcher's migration runs against a real
 * DynamoDB API: every other operation passes straight through.
 *
 * The items run one transaction at a time, in order, each as its own
 * conditional write; when one fails its condition, those already written are
 * put back as they were and the call fails with TransactionCanceledException
 * and one CancellationReason per item, as DynamoDB answers. What differs from
 * DynamoDB: the reasons after the first failing item are "None" (DynamoDB
 * checks them all), and ConditionCheck items are refused.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

const TRANSACT_WRITE = 'DynamoDB_20120810.TransactWriteItems';

type Operation = { TableName: string; Key?: Record<string, AttributeValue>; Item?: Record<string, AttributeValue> } & Record<string, unknown>;
type TransactItem = { Put?: Operation; Delete?: Operation; Update?: Operation; ConditionCheck?: Operation };

export interface TransactingDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** A DynamoDB endpoint that is `dynaliteEndpoint` plus TransactWriteItems. Tables are keyed by `pk`, as test/support/dynamodb.ts makes them. */
export async function withTransactions(dynaliteEndpoint: string): Promise<TransactingDynamoDb> {
  const backend = new DynamoDBClient({ endpoint: dynaliteEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((incoming, outgoing) => {
    if (incoming.headers['x-amz-target'] !== TRANSACT_WRITE) {
      const target = new URL(dynaliteEndpoint);
      const forward = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(outgoing);
      });
      incoming.pipe(forward);
      return;
    }
    const body = readJson(incoming);
    // One transaction at a time: each is several calls to dynalite.
    const answer = queue.then(async () => transact(backend, ((await body) as { TransactItems: TransactItem[] }).TransactItems));
    queue = answer.catch(() => undefined);
    answer.then(
      ({ status, body }) => {
        outgoing.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        outgoing.end(JSON.stringify(body));
      },
      (error: unknown) => {
        outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        outgoing.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      backend.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function transact(backend: DynamoDBClient, items: TransactItem[]): Promise<{ status: number; body: unknown }> {
  const undo: (() => Promise<unknown>)[] = [];
  for (const [index, item] of items.entries()) {
    const operation = item.Put ?? item.Delete ?? item.Update;
    if (!operation) return { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'this test stand-in runs Put, Delete and Update items only' } };
    const key = operation.Key ?? { pk: operation.Item!.pk! };
    const { Item: before } = await backend.send(new GetItemCommand({ TableName: operation.TableName, Key: key, ConsistentRead: true }));
    try {
      if (item.Put) await backend.send(new PutItemCommand(item.Put as never));
      else if (item.Delete) await backend.send(new DeleteItemCommand(item.Delete as never));
      else await backend.send(new UpdateItemCommand(item.Update as never));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      for (const restore of undo.reverse()) await restore();
      const reasons = items.map((_, at) => (at === index ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' } : { Code: 'None' }));
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
          CancellationReasons: reasons,
        },
      };
    }
    undo.push(() =>
      before
        ? backend.send(new PutItemCommand({ TableName: operation.TableName, Item: before }))
        : backend.send(new DeleteItemCommand({ TableName: operation.TableName, Key: key })),
    );
  }
  return { status: 200, body: {} };
}

async function readJson(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
