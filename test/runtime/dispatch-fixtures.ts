import { createServer, type AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DispatchEntry } from '../../shared/runtime/invocation';

/** One enabled instance as the dispatch table holds it. */
export function dispatchEntry(id: string, schedule: string, options: { type?: string; lagSeconds?: number } = {}): DispatchEntry {
  return {
    source: {
      id,
      type: options.type ?? 'tencent-cloudaudit',
      schedule,
      lagSeconds: options.lagSeconds ?? 600,
      start: { lookbackSeconds: 3600 },
      credentialSet: 'tencent-prod',
      credentialEnv: {},
      enabled: true,
      options: {},
    },
    secretName: 'cloudtap-test/tencent-prod',
  };
}

/** An SQS client aimed at a port nobody listens on, without SDK retries: every send fails at once. */
export async function unreachableSqs(): Promise<SQSClient> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return new SQSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}
