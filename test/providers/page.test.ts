import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { MalformedResponseError } from '../../shared/lib/errors';
import { malformedPage, parsePage } from '../../shared/providers/page';
import { TencentClient } from '../../shared/providers/tencent/client';

const keys = { secretId: 'AKIDpageTestFakeKeyId', secretKey: 'pageTestFakeSecretKey' };
// A real client: its redaction is the one a source's page errors go through.
const client = new TencentClient({ service: 'cloudaudit', version: '2019-03-19', endpoint: 'http://127.0.0.1:1', credentials: keys, requestsPerSecond: 10 });
const origin = { source: 'tencent-cloudaudit', operation: 'DescribeEvents', requestId: 'req-42', client };
const schema = z.object({ Events: z.array(z.unknown()).nullish(), ListOver: z.boolean().nullish() });

function caught(fn: () => unknown): MalformedResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedResponseError);
    return error as MalformedResponseError;
  }
  throw new Error('expected a MalformedResponseError');
}

describe('parsePage', () => {
  it('returns the page as the schema reads it', () => {
    expect(parsePage(schema, { Events: [1, 'two'], ListOver: true, RequestId: 'x' }, origin)).toEqual({ Events: [1, 'two'], ListOver: true });
  });

  it('names the source, the request, the operation and every mismatch', () => {
    const error = caught(() => parsePage(schema, { Events: 'none', ListOver: 'yes' }, origin));
    expect(error.message).toBe(
      'tencent-cloudaudit returned a malformed response (request req-42): DescribeEvents response does not match the documented shape: ' +
        'Events: Invalid input: expected array, received string; ListOver: Invalid input: expected boolean, received string',
    );
    expect(error.provider).toBe('tencent-cloudaudit');
    expect(error.requestId).toBe('req-42');
    expect(error.bodyExcerpt).toBe('{"Events":"none","ListOver":"yes"}');
  });

  it('keeps a credential the provider echoes back out of the error', () => {
    const response = { Events: { Echo: `signed by ${keys.secretId} with ${keys.secretKey}` } };
    const error = caught(() => parsePage(schema, response, origin));
    expect(error.bodyExcerpt).toBe('{"Events":{"Echo":"signed by [redacted] with [redacted]"}}');
    expect(JSON.stringify({ ...error, message: error.message })).not.toMatch(/pageTestFake/);
  });

  it('cuts the body excerpt to 200 characters', () => {
    const error = caught(() => parsePage(schema, { Events: 'x'.repeat(500) }, origin));
    expect(error.bodyExcerpt).toHaveLength(200);
  });
});

describe('malformedPage', () => {
  it('says why the page is refused, without an excerpt unless given one', () => {
    const error = malformedPage(origin, `ListOver is false but NextToken ${keys.secretId} is missing`);
    expect(error.message).toBe('tencent-cloudaudit returned a malformed response (request req-42): ListOver is false but NextToken [redacted] is missing');
    expect(error.bodyExcerpt).toBe('');
  });
});
