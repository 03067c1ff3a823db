/**
 * A local stand-in for AWS Secrets Manager that speaks the wire API the AWS
 * SDK v3 client sends (AWS JSON 1.1: POST / with `X-Amz-Target:
 * secretsmanager.<Operation>`), enough for `GetSecretValue`, which is what
 * Powertools' `getSecret` calls. Aim a client at it with `endpoint`, or every
 * SDK client in the process with `AWS_ENDPOINT_URL_SECRETS_MANAGER` (SDK v3
 * reads `AWS_ENDPOINT_URL_<SERVICE ID>` when a client is created).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TARGET_PREFIX = 'secretsmanager.';
const JSON_11 = 'application/x-amz-json-1.1';

/** One request as the server saw it. */
export interface SecretsManagerCall {
  operation: string;
  secretId?: string;
  status: number;
  /** `__type` of an error answer. */
  error?: string;
}

export interface SecretsManagerServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: string;
  /** Store (or replace) a secret; an object is stored as its JSON text. Returns the secret's ARN. */
  putSecret(name: string, value: string | Record<string, unknown>): string;
  /** Remove a secret: later reads answer ResourceNotFoundException. */
  deleteSecret(nameOrArn: string): void;
  calls: SecretsManagerCall[];
  stop(): Promise<void>;
}

interface StoredSecret {
  arn: string;
  name: string;
  versionId: string;
  value: string;
  createdDate: number;
}

class Reject extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSecretsManagerServer(
  options: { region?: string; accountId?: string } = {},
): Promise<SecretsManagerServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const secrets = new Map<string, StoredSecret>();
  const calls: SecretsManagerCall[] = [];

  const find = (id: string): StoredSecret | undefined =>
    secrets.get(id) ?? [...secrets.values()].find((secret) => secret.arn === id);

  function getSecretValue(body: Record<string, unknown>, call: SecretsManagerCall) {
    const secretId = body.SecretId;
    if (typeof secretId !== 'string' || secretId === '') {
      throw new Reject('InvalidParameterException', 400, 'You must provide a SecretId.');
    }
    call.secretId = secretId;
    const secret = find(secretId);
    const stage = body.VersionStage ?? 'AWSCURRENT';
    const version = body.VersionId;
    if (!secret || stage !== 'AWSCURRENT' || (version !== undefined && version !== secret.versionId)) {
      throw new Reject('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: SecretsManagerCall = { operation: target.replace(TARGET_PREFIX, ''), status: 200 };
    calls.push(call);
    const answer = (status: number, payload: unknown, errorType?: string) => {
      call.status = status;
      const headers: Record<string, string> = { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() };
      if (errorType) headers['x-amzn-errortype'] = errorType;
      res.writeHead(status, headers).end(JSON.stringify(payload));
    };
    try {
      const auth = String(req.headers.authorization ?? '');
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/secretsmanager\/aws4_request/.test(auth)) {
        throw new Reject('MissingAuthenticationTokenException', 403, 'Missing or malformed AWS4-HMAC-SHA256 Authorization header');
      }
      if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== JSON_11) {
        throw new Reject('SerializationException', 400, `expected POST / with ${JSON_11}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new Reject('SerializationException', 400, 'body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new Reject('SerializationException', 400, 'body is not a JSON object');
      }
      if (target !== `${TARGET_PREFIX}GetSecretValue`) {
        throw new Reject('UnknownOperationException', 400, `unsupported operation: ${target || '(none)'}`);
      }
      answer(200, getSecretValue(body as Record<string, unknown>, call));
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      call.error = error.type;
      answer(error.status, { __type: error.type, Message: error.message }, error.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    region,
    calls,
    putSecret(name, value) {
      const existing = secrets.get(name);
      const arn = existing?.arn ?? `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomBytes(3).toString('hex')}`;
      secrets.set(name, {
        arn,
        name,
        versionId: randomUUID(),
        value: typeof value === 'string' ? value : JSON.stringify(value),
        createdDate: Date.now() / 1000,
      });
      return arn;
    },
    deleteSecret(nameOrArn) {
      const secret = find(nameOrArn);
      if (secret) secrets.delete(secret.name);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
