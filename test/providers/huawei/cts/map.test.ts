import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ctsEventTime, ctsOutcome, mapCtsRecord, type CtsTrace } from '../../../../shared/providers/huawei/cts/map';
import { PROJECT_ID } from '../support';

const seed = JSON.parse(readFileSync(new URL('../../../fixtures/huawei-cts/list-traces-seed.json', import.meta.url), 'utf8'));
const seedTraces: CtsTrace[] = seed.traces;
const context = { occurrence: 0 };
const scope = { region: 'cn-north-4', projectId: PROJECT_ID };
const map = (record: CtsTrace) => mapCtsRecord(record, context, scope);

const ALICE = { id: '0f1e2d3c4b5a69788796a5b4c3d2e101', name: 'ops-alice', domain: { id: 'ded649d814464428ba89d04d7955c93e', name: 'acme-prod' } };
const trace = (overrides: Partial<CtsTrace> = {}): CtsTrace => ({
  trace_id: '6f1d2c3b-4a59-4687-a796-a5b4c3d2e100',
  trace_name: 'createCredential',
  trace_rating: 'normal',
  trace_type: 'ApiCall',
  code: '200',
  time: 1763708452123,
  record_time: 1763708452731,
  user: { ...ALICE, principal_is_root_user: 'false' },
  service_type: 'IAM',
  resource_type: 'user',
  resource_name: 'ops-alice',
  resource_id: ALICE.id,
  source_ip: '203.0.113.10',
  request: '{"credential":{"user_id":"0f1e2d3c4b5a69788796a5b4c3d2e101","description":"rotation"}}',
  ...overrides,
});

describe('mapCtsRecord', () => {
  it('maps the documented example payload', () => {
    expect(map(seedTraces[0]!)).toEqual({
      '@timestamp': '2016-08-25T18:11:48.232Z',
      event: {
        id: 'e001ccb9-bc09-11e6-b00b-4b2a61338db6',
        kind: 'event',
        category: ['configuration'],
        type: ['deletion'],
        action: 'deleteEip',
        // CTS rated the trace `warning`: the operation failed, whatever `code` says.
        outcome: 'failure',
        provider: 'vpc',
      },
      cloud: {
        provider: 'huaweicloud',
        region: 'cn-north-4',
        project: { id: PROJECT_ID },
        account: { id: 'ded649d814464428ba89d04d7955c93e', name: 'xxx' },
        service: { name: 'vpc' },
      },
      user: { name: 'xxx', domain: 'xxx' },
      related: { user: ['xxx'] },
      cloudtap: {
        resource: { type: 'eip', name: '192.144.163.1', id: 'd502809d-0d1d-41ce-9690-784282142ccc' },
        huaweicloud: {
          cts: {
            trace_name: 'deleteEip',
            trace_type: 'ConsoleAction',
            trace_rating: 'warning',
            code: '200',
            api_version: '2.0',
            record_time: '2016-12-06T23:15:28.000Z',
            // Placeholder names: the user is named as its account is (see test/fixtures/huawei-cts/README.md).
            root_user: true,
            response: '{"code":"VPC.0514","message":"Update port fail."}',
          },
        },
      },
    });
  });

  it('gives each documented trace its own trace_id as event.id', () => {
    expect(seedTraces.map((t) => map(t).event.id)).toEqual(['e001ccb9-bc09-11e6-b00b-4b2a61338db6', 'e001ccb8-bc09-11e6-b2cc-2640a43cc6e8']);
  });

  it.each([
    {
      name: 'an access key created for oneself: the target is the actor',
      input: trace(),
      expected: { event: { type: ['creation'], category: ['iam'], outcome: 'success' }, user: { id: ALICE.id, name: 'ops-alice', target: { id: ALICE.id } } },
    },
    {
      name: 'an access key created for another user names that user as the target',
      input: trace({ request: '{"credential":{"user_id":"0f1e2d3c4b5a69788796a5b4c3d2e102"}}' }),
      expected: { user: { id: ALICE.id, target: { id: '0f1e2d3c4b5a69788796a5b4c3d2e102' } } },
    },
    {
      name: 'a console sign-in of the account root user',
      input: trace({ trace_name: 'login', trace_type: 'ConsoleAction', request: undefined, user: { ...ALICE, name: 'acme-prod', principal_is_root_user: 'true' } }),
      expected: { event: { category: ['authentication'], action: 'login' }, cloudtap: { huaweicloud: { cts: { root_user: true } } } },
    },
    {
      name: 'CTS flags a user as not root even when named as the account',
      input: trace({ trace_name: 'login', user: { ...ALICE, name: 'acme-prod', principal_is_root_user: 'false' } }),
      expected: { cloudtap: { huaweicloud: { cts: { root_user: false } } } },
    },
    {
      name: 'a failed sign-in',
      input: trace({ trace_name: 'loginFailed', trace_rating: 'warning', code: '401' }),
      expected: { event: { category: ['authentication'], outcome: 'failure' }, cloudtap: { huaweicloud: { cts: { code: '401' } } } },
    },
    {
      name: 'an incident is a failure',
      input: trace({ trace_name: 'deleteServer', service_type: 'ECS', trace_rating: 'incident', code: '500' }),
      expected: { event: { type: ['deletion'], category: ['configuration'], outcome: 'failure', provider: 'ecs' }, cloud: { service: { name: 'ecs' } } },
    },
    {
      name: 'no rating: the HTTP status decides',
      input: trace({ trace_rating: undefined, code: 403 }),
      expected: { event: { outcome: 'failure' } },
    },
    {
      name: 'an IAM user name in user_name wins over name',
      input: trace({ user: { ...ALICE, user_name: 'alice-sso' } }),
      expected: { user: { name: 'alice-sso' }, related: { user: ['alice-sso'] } },
    },
    {
      name: 'an unknown trace name keeps its name and is a change',
      input: trace({ trace_name: 'frobnicateWidget', service_type: 'XYZ' }),
      expected: { event: { action: 'frobnicateWidget', type: ['change'], provider: 'xyz' } },
    },
    {
      name: 'a time sent as a string of 13 digits',
      input: trace({ time: '1763708452123' }),
      expected: { '@timestamp': '2025-11-21T07:00:52.123Z' },
    },
  ])('$name', ({ input, expected }) => {
    expect(map(input)).toMatchObject(expected);
  });

  it('leaves out a source_ip that is not an address, from source and related alike', () => {
    const doc = map(trace({ source_ip: 'console' }));
    expect(doc).not.toHaveProperty('source');
    expect(doc.related).toEqual({ user: ['ops-alice'] });
  });

  it('never takes a user of another trace as the target of a request it cannot read', () => {
    expect(map(trace({ request: 'not json' })).user).toEqual({ id: ALICE.id, name: 'ops-alice', domain: 'acme-prod' });
    expect(map(trace({ trace_name: 'deleteUser', request: '{"user_id":"x"}' })).user).not.toHaveProperty('target');
  });

  it.each([
    ['null', null],
    ['a string', 'trace'],
    ['no time', trace({ time: undefined })],
    ['time in seconds', trace({ time: 1763708452 })],
    ['time as an object', trace({ time: { ms: 1 } as never })],
  ])('refuses %s, which the core then ships raw', (_name, input) => {
    expect(() => map(input as CtsTrace)).toThrow();
  });

  it('dates a trace by `time` in whole seconds, the HTTP status only when CTS gives no rating', () => {
    expect(ctsEventTime(trace())).toBe(1763708452);
    expect(ctsOutcome(trace({ trace_rating: 'normal', code: '500' }))).toBe('success');
    expect(ctsOutcome(trace({ trace_rating: undefined, code: '204' }))).toBe('success');
    expect(ctsOutcome(trace({ trace_rating: 'odd', code: 'n/a' }))).toBe('unknown');
  });
});
