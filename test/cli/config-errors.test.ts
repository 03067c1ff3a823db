import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudtap } from '../support/cli';

/**
 * `cloudtap validate` as a new user runs it (issue 14): the mistakes that used
 * to pass as "is valid" are refused with exit 2, each on its own line starting
 * with its path, and no stack trace.
 */

const UNENCRYPTED =
  'expected an https URL: plain http would carry credentials and audit logs unencrypted (http is accepted only for localhost, 127.0.0.0/8 or [::1], e.g. a simulator)';

/** The issue's configuration: one source (plus the line `source`) and a Splunk destination under the section name `destination`. */
const issueConfig = ({ source = '', destination = 'destination' }: { source?: string; destination?: string }) =>
  [
    'sources:',
    '  - id: audit',
    '    type: tencent-cloudaudit',
    '    region: ap-guangzhou',
    ...(source ? [`    ${source}`] : []),
    `${destination}:`,
    '  type: splunk',
    '  hecEndpoint: https://http-inputs-firehose-acme.splunkcloud.com:443',
    '',
  ].join('\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-config-errors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let files = 0;
async function validate(yaml: string) {
  const path = join(dir, `cloudtap-${++files}.yaml`);
  await writeFile(path, yaml);
  return { path, ...(await cloudtap(['validate', '--config', path], { cwd: dir })) };
}

function expectRefused(result: { path: string; code: number; stdout: string; stderr: string }, problems: string[]) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`invalid configuration in ${result.path}:\n${problems.map((problem) => `  - ${problem}\n`).join('')}`);
}

describe('cloudtap validate', () => {
  it('passes the issue configuration once it is spelt right', async () => {
    const result = await validate(issueConfig({ source: 'schedule: rate(5 minutes)' }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${result.path} is valid: 1 source(s), destination splunk`);
  });

  it.each([
    { name: 'a misspelt section (destinaton)', yaml: issueConfig({ destination: 'destinaton' }), problems: ['destinaton: unknown key; did you mean "destination"?'] },
    { name: 'a misspelt source key (shedule)', yaml: issueConfig({ source: 'shedule: rate(5 minutes)' }), problems: ['sources[0].shedule: unknown key; did you mean "schedule"?'] },
    { name: 'start: "12"', yaml: issueConfig({ source: 'start: "12"' }), problems: ['sources[0].start: expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z'] },
    {
      name: 'a Unix cron with seconds',
      yaml: issueConfig({ source: 'schedule: cron(0/10 * * * * *)' }),
      problems: [
        'sources[0].schedule: cron day-of-month and day-of-week are both set (day-of-month "*", day-of-week "*"); EventBridge needs "?" in one of them, e.g. "cron(0/10 * * * ? *)"',
      ],
    },
    { name: 'a cron minute of 99', yaml: issueConfig({ source: 'schedule: cron(99 * * * ? *)' }), problems: ['sources[0].schedule: cron minutes field "99": 99 is outside 0-59'] },
    { name: 'an endpoint over plain http', yaml: issueConfig({ source: 'endpoint: http://cloudaudit.example.com' }), problems: [`sources[0].endpoint: ${UNENCRYPTED}`] },
    { name: 'start: 400d', yaml: issueConfig({ source: 'start: 400d' }), problems: ['sources[0] (audit).start: 400d is beyond what tencent-cloudaudit keeps (90d)'] },
  ])('refuses $name with exit 2, the path and what is wrong, without a stack trace', async ({ yaml, problems }) => {
    expectRefused(await validate(yaml), problems);
  });

  it('lists every mistake of a file in one run', async () => {
    const yaml = [
      'sources:',
      '  - { id: audit, type: tencent-cloudaudit, shedule: rate(5 minutes), start: 400d }',
      '  - { id: certs, type: tencent-ssl, start: "12", schedule: cron(99 * * * ? *), endpoint: "http://ssl.example.com" }',
      'destinaton: { type: splunk }',
      '',
    ].join('\n');
    expectRefused(await validate(yaml), [
      'sources[0].shedule: unknown key; did you mean "schedule"?',
      'sources[0] (audit).region: required for tencent-cloudaudit',
      'sources[0] (audit).start: 400d is beyond what tencent-cloudaudit keeps (90d)',
      'sources[1].schedule: cron minutes field "99": 99 is outside 0-59',
      'sources[1].start: expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z',
      `sources[1].endpoint: ${UNENCRYPTED}`,
      'destinaton: unknown key; did you mean "destination"?',
    ]);
  });
});
