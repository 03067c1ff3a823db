/**
 * A real DynamoDB API for tests: dynalite (pure Node, in memory) on an
 * ephemeral 127.0.0.1 port. Known gaps versus DynamoDB: no transactions, no
 * TTL deletion, and `ReturnValuesOnConditionCheckFailure` is accepted but
 * ignored (a ConditionalCheckFailedException never carries `Item`).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite is CommonJS without types: `module.exports = function dynalite(options): http.Server`.
type Dynalite = (options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface TestDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table keyed by `pk` (String), on demand, and waits until it is ACTIVE. */
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynamoDb(): Promise<TestDynamoDb> {
  // Without the zero delays every CreateTable stays CREATING for 500 ms.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  return {
    endpoint,
    client,
    async createTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      for (let i = 0; i < 500; i++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`table ${name} did not become ACTIVE`);
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
