/**
 * A tiny CloudFormation API for tests: DescribeStacks over the awsQuery
 * protocol the SDK speaks (form-encoded POST, XML answer) on 127.0.0.1.
 * Stacks are whatever the test registers; anything else is the real API's
 * ValidationError "Stack with id X does not exist".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';

export interface CloudFormationServer {
  endpoint: string;
  client: CloudFormationClient;
  /** Stack name -> output key -> value. */
  stacks: Map<string, Record<string, string>>;
  /** Action names received, in order. */
  calls: string[];
  stop(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startCloudFormationServer(): Promise<CloudFormationServer> {
  const stacks = new Map<string, Record<string, string>>();
  const calls: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? '';
      calls.push(action);
      const send = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'cfn-test-request' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
      };
      const error = (code: string, message: string) =>
        send(
          400,
          `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>cfn-test-request</RequestId></ErrorResponse>`,
        );
      if (action !== 'DescribeStacks') return error('InvalidAction', `The action ${action} is not valid for this web service.`);
      const name = params.get('StackName') ?? '';
      const outputs = stacks.get(name);
      if (!outputs) return error('ValidationError', `Stack with id ${name} does not exist`);
      const members = Object.entries(outputs)
        .map(([key, value]) => `<member><OutputKey>${escape(key)}</OutputKey><OutputValue>${escape(value)}</OutputValue></member>`)
        .join('');
      send(
        200,
        `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member>` +
          `<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${escape(name)}/0000</StackId>` +
          `<StackName>${escape(name)}</StackName><CreationTime>2026-01-01T00:00:00.000Z</CreationTime>` +
          `<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
          `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>cfn-test-request</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new CloudFormationClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    endpoint,
    client,
    stacks,
    calls,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
