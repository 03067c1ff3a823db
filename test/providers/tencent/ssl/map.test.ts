import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATION_TYPES, mapSslOperationLog, sslEventTime, type SslOperationLog } from '../../../../shared/providers/tencent/ssl/map';
import { generateSslEvents } from '../../../../simulators/tencent/ssl/events';

const fixture = (name: string): SslOperationLog[] =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/tencent-ssl/${name}`, import.meta.url), 'utf8')).Response.OperateLogs;

/** The API documentation's example (its JSON repaired: missing commas and a quote). */
const seed = fixture('describe-certificate-operate-logs-seed.json');
/** The Chinese documentation's first record: the Action text is localized. */
const zh = fixture('describe-certificate-operate-logs-zh.json');
/** The 2020 documentation's record shape: only Action and CreatedOn. */
const legacy = fixture('describe-certificate-operate-logs-2020.json');

const context = { occurrence: 0 };
const OWNER = '100017155920';

const record = (overrides: Partial<SslOperationLog>): SslOperationLog => ({
  Action: 'User [uin: 100017155921] downloads certificate [id: Abc12345]',
  CreatedOn: '2025-03-04 05:06:07',
  Uin: OWNER,
  SubAccountUin: '100017155921',
  CertId: 'Abc12345',
  Type: 'download',
  ...overrides,
});

describe('mapSslOperationLog: the documented example', () => {
  it.each([
    { i: 0, timestamp: '2024-11-28T07:02:12.000Z', action: 'delete', type: 'deletion', user: OWNER, operator: 'owner', cert: 'JiDVp1SG' },
    { i: 1, timestamp: '2024-11-27T10:16:29.000Z', action: 'revoked', type: 'change', user: undefined, operator: 'unrecorded', cert: 'JiDVp1SG' },
    { i: 2, timestamp: '2024-11-27T09:46:19.000Z', action: 'revoke', type: 'change', user: OWNER, operator: 'owner', cert: 'JiDVp1SG' },
    { i: 3, timestamp: '2024-11-27T09:45:21.000Z', action: 'issued', type: 'creation', user: undefined, operator: 'unrecorded', cert: 'Juz8JAxn' },
    { i: 4, timestamp: '2024-11-27T09:45:09.000Z', action: 'issued', type: 'creation', user: undefined, operator: 'unrecorded', cert: 'Juz9IaDi' },
  ])('record $i: $action at $timestamp', ({ i, timestamp, action, type, user, operator, cert }) => {
    const raw = seed[i]!;
    const doc = mapSslOperationLog(raw, context);
    expect(doc).toMatchObject({
      '@timestamp': timestamp,
      message: raw.Action,
      event: {
        kind: 'event',
        category: ['configuration'],
        type: [type],
        action,
        outcome: 'success',
        provider: 'ssl.tencentcloudapi.com',
      },
      cloud: { provider: 'tencentcloud', account: { id: OWNER }, service: { name: 'ssl' } },
      cloudtap: {
        resource: { type: 'ssl-certificate', ids: [cert] },
        tencent: { certificate_id: cert, operation_type: action, operator_type: operator },
      },
    });
    expect(doc.user?.id).toBe(user);
    expect(doc.related?.user).toEqual(user ? [user] : undefined);
    expect(doc.event.id).toMatch(/^[0-9a-f]{32}$/);
    expect(doc.cloud?.region).toBeUndefined();
  });

  it('gives the five records five different ids', () => {
    expect(new Set(seed.map((raw) => mapSslOperationLog(raw, context).event.id)).size).toBe(5);
  });
});

describe('mapSslOperationLog: variations', () => {
  it.each([
    {
      name: 'a sub-account acting is the user, and related',
      input: record({}),
      expected: { user: { id: '100017155921' }, related: { user: ['100017155921'] }, cloudtap: { tencent: { operator_type: 'sub_account' } } },
    },
    {
      name: 'a private key download is an access',
      input: record({}),
      expected: { event: { action: 'download', type: ['access'], category: ['configuration'] } },
    },
    {
      name: 'an unknown type is kept as the action and typed info',
      input: record({ Type: 'deployToClb' }),
      expected: { event: { action: 'deployToClb', type: ['info'] }, cloudtap: { tencent: { operation_type: 'deployToClb' } } },
    },
    {
      name: 'a null type is action unknown, typed info',
      input: record({ Type: null }),
      expected: { event: { action: 'unknown', type: ['info'] } },
    },
    {
      name: 'type lookup ignores case (the documented list itself has `Resubmit`)',
      input: record({ Type: 'Resubmit' }),
      expected: { event: { action: 'Resubmit', type: ['creation'] } },
    },
    {
      name: 'the localized (Chinese) example maps the same way',
      input: zh[0]!,
      expected: { message: '用户[uin: 100017155920] 删除 证书[id: JiDVp1SG]', event: { action: 'delete', type: ['deletion'] }, user: { id: OWNER } },
    },
    {
      name: 'the 2020 shape: certificate and user come from the Action text',
      input: legacy[0]!,
      expected: {
        '@timestamp': '2020-01-14T07:46:38.000Z',
        user: { id: '1234567890' },
        event: { action: 'unknown', type: ['info'] },
        cloudtap: { resource: { type: 'ssl-certificate', ids: ['ABC1abc1'] }, tencent: { certificate_id: 'ABC1abc1' } },
      },
    },
    {
      name: 'a null SubAccountUin falls back to the text, where "--" is no user',
      input: record({ SubAccountUin: null, Action: 'User [uin: --] issues certificate [id: Abc12345]', Type: 'issued' }),
      expected: { cloudtap: { tencent: { operator_type: 'unrecorded' } } },
    },
  ])('$name', ({ input, expected }) => {
    expect(mapSslOperationLog(input, context)).toMatchObject(expected);
  });

  it('leaves user and account out when they are not recorded', () => {
    const doc = mapSslOperationLog(record({ SubAccountUin: '--', Uin: null, Action: null }), context);
    expect(doc.user).toBeUndefined();
    expect(doc.related).toBeUndefined();
    expect(doc.cloud?.account).toBeUndefined();
    expect(doc.message).toBeUndefined();
    expect(doc.cloudtap?.resource).toEqual({ type: 'ssl-certificate', ids: ['Abc12345'] });
  });

  it('types every documented operation (none falls to info)', () => {
    const documented = [
      'apply', 'delete', 'download', 'upload', 'revoke', 'cancelRevoke', 'updateAlias', 'changeProject', 'uploadConfirmLetter',
      'cancel', 'replace', 'downloadConfirmLetter', 'editRevokeLetter', 'renewVIP', 'applyVIP', 'submitInfo', 'uploadFromYunAPI',
      'transferIn', 'transferOut', 'refund', 'multiYearsRenew', 'modifyDownloadLimit', 'issued', 'domainValidationPassed', 'Resubmit',
    ];
    for (const type of [...documented, 'revoked']) {
      expect(OPERATION_TYPES[type.toLowerCase()], type).toBeDefined();
      expect(mapSslOperationLog(record({ Type: type }), context).event.type).not.toEqual(['info']);
    }
  });

  it.each([undefined, null, '', '2024-11-28T15:02:12Z', '2024-02-30 10:00:00'])('rejects CreatedOn %j', (createdOn) => {
    expect(() => mapSslOperationLog(record({ CreatedOn: createdOn }), context)).toThrow(/CreatedOn/);
    expect(() => sslEventTime(record({ CreatedOn: createdOn }))).toThrow(/CreatedOn/);
  });

  it('rejects a record that is not an object', () => {
    expect(() => mapSslOperationLog(null as never, context)).toThrow(/not an object/);
  });
});

describe('mapSslOperationLog: content ids', () => {
  const base = record({});

  it('is deterministic and ignores when it was pulled', () => {
    const id = mapSslOperationLog(base, context).event.id;
    expect(mapSslOperationLog(structuredClone(base), context).event.id).toBe(id);
  });

  it('tells identical records apart by occurrence, and different records by content', () => {
    const ids = [0, 1, 2].map((occurrence) => mapSslOperationLog(base, { ...context, occurrence }).event.id);
    expect(new Set(ids).size).toBe(3);
    expect(mapSslOperationLog(record({ CreatedOn: '2025-03-04 05:06:08' }), context).event.id).not.toBe(ids[0]);
    expect(mapSslOperationLog(record({ Type: 'delete' }), context).event.id).not.toBe(ids[0]);
  });
});

describe('mapSslOperationLog: generated records', () => {
  const events = generateSslEvents({ count: 400, from: 1_700_000_000, to: 1_700_086_400, seed: 9 });

  it.each(events.slice(0, 60).map((event, i) => ({ i, raw: event.record })))('record $i maps', ({ raw }) => {
    const doc = mapSslOperationLog(raw, context);
    expect(doc['@timestamp']).toBe(new Date(sslEventTime(raw) * 1000).toISOString());
    expect(doc.event.action).toBe(raw.Type);
    expect(doc.event.type).not.toEqual(['info']);
    expect(doc.user?.id).toBe(raw.SubAccountUin === '--' ? undefined : raw.SubAccountUin);
    expect(doc.cloudtap?.resource).toEqual({ type: 'ssl-certificate', ids: [raw.CertId] });
    expect(doc.cloud?.account?.id).toBe(raw.Uin);
  });

  it('covers owner, sub-account and unrecorded operators', () => {
    const kinds = new Set(events.map((event) => (mapSslOperationLog(event.record, context).cloudtap?.tencent as any).operator_type));
    expect(kinds).toEqual(new Set(['owner', 'sub_account', 'unrecorded']));
  });
});
