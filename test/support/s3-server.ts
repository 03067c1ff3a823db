/**
 * A minimal Amazon S3 REST API for tests, path-style (`/<bucket>/<key>`), on
 * 127.0.0.1: ListObjectsV2 (prefix, max-keys, continuation token), GetObject,
 * PutObject, CopyObject (`x-amz-copy-source`), DeleteObject. Enough for the
 * real `@aws-sdk/client-s3` built with `forcePathStyle: true`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Server {
  endpoint: string;
  /** A real SDK client aimed at this server (path-style, fake credentials, SDK retries off). */
  client: S3Client;
  /** Bucket -> key -> body. */
  buckets: Map<string, Map<string, Buffer>>;
  createBucket(name: string): Map<string, Buffer>;
  /** `METHOD /bucket/key?query`, in order. */
  calls: string[];
  /** Fail the next `count` requests whose `METHOD key` matches with 500 InternalError. */
  failNext(match: (call: string) => boolean, count?: number): void;
  stop(): Promise<void>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function error(response: ServerResponse, status: number, code: string, message: string, resource = ''): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`${XML}<Error><Code>${code}</Code><Message>${escape(message)}</Message><Resource>${escape(resource)}</Resource></Error>`);
}

export async function startS3Server(): Promise<S3Server> {
  const buckets = new Map<string, Map<string, Buffer>>();
  const calls: string[] = [];
  let faults: { match: (call: string) => boolean; left: number }[] = [];

  const handle = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = request.method ?? 'GET';
    calls.push(`${method} /${bucketName}/${key}${url.search}`);
    const fault = faults.find((f) => f.left > 0 && f.match(`${method} ${key}`));
    if (fault) {
      fault.left--;
      return error(response, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    }
    const bucket = buckets.get(decodeURIComponent(bucketName));
    if (!bucket) return error(response, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucketName);
    if (method === 'GET' && key === '') {
      if (url.searchParams.get('list-type') !== '2') return error(response, 400, 'NotImplemented', 'only ListObjectsV2');
      const prefix = url.searchParams.get('prefix') ?? '';
      const maxKeys = Math.min(Number(url.searchParams.get('max-keys') ?? 1000), 1000);
      const token = url.searchParams.get('continuation-token');
      const after = token ? Buffer.from(token, 'base64').toString('utf8') : (url.searchParams.get('start-after') ?? '');
      const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = keys.slice(0, maxKeys);
      const truncated = keys.length > page.length;
      const contents = page
        .map((k) => `<Contents><Key>${escape(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>${escape(etag(bucket.get(k)!))}</ETag><Size>${bucket.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
        .join('');
      const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64')}</NextContinuationToken>` : '';
      response.writeHead(200, { 'content-type': 'application/xml' });
      return response.end(
        `${XML}<ListBucketResult xmlns="${NS}"><Name>${escape(bucketName)}</Name><Prefix>${escape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token ? `<ContinuationToken>${token}</ContinuationToken>` : ''}${next}${contents}</ListBucketResult>`,
      );
    }
    if (method === 'GET') {
      const object = bucket.get(key);
      if (!object) return error(response, 404, 'NoSuchKey', 'The specified key does not exist.', key);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': object.length, etag: etag(object) });
      return response.end(object);
    }
    if (method === 'PUT') {
      const source = request.headers['x-amz-copy-source'];
      if (typeof source === 'string') {
        const [, sourceBucket = '', ...sourceKey] = decodeURIComponent(source.split('?')[0]!).replace(/^\/?/, '/').split('/');
        const object = buckets.get(sourceBucket)?.get(sourceKey.join('/'));
        if (!object) return error(response, 404, 'NoSuchKey', 'The specified key does not exist.', source);
        bucket.set(key, object);
        response.writeHead(200, { 'content-type': 'application/xml' });
        return response.end(`${XML}<CopyObjectResult xmlns="${NS}"><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>${escape(etag(object))}</ETag></CopyObjectResult>`);
      }
      bucket.set(key, body);
      response.writeHead(200, { etag: etag(body) });
      return response.end();
    }
    if (method === 'DELETE') {
      bucket.delete(key);
      response.writeHead(204);
      return response.end();
    }
    return error(response, 405, 'MethodNotAllowed', `${method} is not supported here`);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDS3TESTSERVER', secretAccessKey: 's3-test-server-fake-secret' },
  });
  return {
    endpoint,
    client,
    buckets,
    calls,
    createBucket(name) {
      const bucket = buckets.get(name) ?? new Map<string, Buffer>();
      buckets.set(name, bucket);
      return bucket;
    },
    failNext(match, count = 1) {
      faults.push({ match, left: count });
    },
    async stop() {
      client.destroy();
      faults = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
