/**
 * Configuration mistakes, caught before anything is pulled: an unknown source
 * type, a schedule or duration EventBridge or cloudtap would not take, a
 * destination without its endpoint, provider options out of range, and
 * credentials that are missing (no secret, a secret without a field, an unset
 * variable). Every problem is reported at once with its path and what is
 * allowed; no message ever quotes a credential.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { systemClock } from '../../shared/lib/clock';
import { silentLog } from '../../shared/lib/logger';
import { definitions, registry } from '../../shared/providers/registry';
import { credentialsFromEnv, credentialsFromSecret } from '../../shared/runtime/credentials';
import { startSecretsManagerServer, type SecretsManagerServer } from '../support/secrets-manager-server';
import { expectNoSecret } from './support';

let dir: string;
let secrets: SecretsManagerServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtap-bad-config-'));
  secrets = await startSecretsManagerServer({ region: 'us-east-1' });
  // Powertools builds its Secrets Manager client on first use, from these.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIALOCALBADINPUTS01',
    AWS_SECRET_ACCESS_KEY: 'local-bad-inputs-secret-access-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([secrets.stop(), rm(dir, { recursive: true, force: true })]);
});

let files = 0;
/** Write `yaml` to a file and load it as `cloudtap validate` does; returns the problems it reports. */
async function problemsOf(yaml: string): Promise<string[]> {
  const path = join(dir, `cloudtap-${++files}.yaml`);
  await writeFile(path, yaml);
  const error = await loadConfigFile(path, registry).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the configuration is refused').toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message.startsWith(`invalid configuration in ${path}:\n`)).toBe(true);
  return (error as ConfigError).issues;
}

const KNOWN_TYPES = `known types: ${definitions.map((definition) => definition.type).join(', ')}`;

describe('configuration', () => {
  it('BI-30 an unknown source type: named with its path and the known types, beside every other mistake of the file', async () => {
    const problems = await problemsOf(`
sources:
  - { id: audit-gz, type: tencent-cloudaudit, region: ap-guangzhou, lag: 10 minutes }
  - { id: trail, type: aws-cloudtrail }
`);
    expect(problems).toEqual([
      'sources[0].lag: expected a duration such as 30s, 10m, 6h or 7d',
      `sources[1] (trail).type: unknown source type "aws-cloudtrail"; ${KNOWN_TYPES}`,
    ]);
    // A near miss is named with the type meant.
    expect(await problemsOf('sources: [{ id: trail, type: tencent-cloudadit }]')).toEqual([
      `sources[0] (trail).type: unknown source type "tencent-cloudadit"; did you mean "tencent-cloudaudit"? ${KNOWN_TYPES}`,
    ]);
  });

  it.each([
    ['rate(1 minutes)', 'EventBridge wants the singular unit for 1: "rate(1 minute)"'],
    ['every 5 minutes', 'expected an EventBridge schedule such as "rate(1 hour)", "rate(5 minutes)" or "cron(0/10 * * * ? *)"'],
    ['cron(0/10 * * * *)', 'a cron expression has 6 fields (minutes hours day-of-month month day-of-week year); this one has 5'],
    [
      'cron(0/10 * * * * *)',
      'cron day-of-month and day-of-week are both set (day-of-month "*", day-of-week "*"); EventBridge needs "?" in one of them, e.g. "cron(0/10 * * * ? *)"',
    ],
    ['cron(99 * * * ? *)', 'cron minutes field "99": 99 is outside 0-59'],
  ])('BI-31 a schedule EventBridge would refuse at deploy time (%s): named with its path and what is wrong', async (schedule, expected) => {
    expect(await problemsOf(`sources: [{ id: ssl-certs, type: tencent-ssl, schedule: "${schedule}" }]`)).toEqual([`sources[0].schedule: ${expected}`]);
  });

  it.each([
    ['start', 'last tuesday', 'expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z'],
    ['start', '12', 'expected a lookback such as 7d or an ISO 8601 time such as 2026-01-01T00:00:00Z'],
    ['lag', '-5m', 'expected a duration such as 30s, 10m, 6h or 7d'],
  ])('BI-31 a %s that is not a duration or time (%s): named with its path and the expected form', async (field, value, expected) => {
    expect(await problemsOf(`sources: [{ id: ssl-certs, type: tencent-ssl, ${field}: "${value}" }]`)).toEqual([`sources[0].${field}: ${expected}`]);
  });

  it.each([
    ['splunk', 'destination.hecEndpoint: required: the https URL of your Splunk HTTP Event Collector'],
    ['elastic', 'destination.endpointUrl: required: the https URL of your Elastic Firehose endpoint'],
  ])('BI-32 destination type %s without its endpoint: named as required, with what goes there', async (type, expected) => {
    expect(await problemsOf(`sources: [{ id: ssl-certs, type: tencent-ssl }]\ndestination: { type: ${type} }`)).toEqual([expected]);
  });

  it('BI-32 a destination of a type cloudtap does not deliver to: the allowed types named', async () => {
    expect(await problemsOf('sources: [{ id: ssl-certs, type: tencent-ssl }]\ndestination: { type: kafka, endpoint: "https://kafka.example.com" }')).toEqual([
      'destination.type: expected type s3, splunk, elastic or security-lake',
    ]);
  });

  it('BI-35 provider options out of range: each named with its path, the instance id and the allowed values', async () => {
    const problems = await problemsOf(`
sources:
  - { id: audit-gz, type: tencent-cloudaudit, options: { returnLocaton: true } }
  - { id: ucloud-ops, type: ucloud-operations, options: { maxResults: 500 } }
  - id: dbss-bj4
    type: huawei-dbss
    region: cn-north-4
    options: { projectId: 0a1b2c3d4e5f60718293a4b5c6d7e8f9, instanceId: 8f2c9a61d4b7e05312fa6c8b9d0e7a41in01, authMode: password }
`);
    expect(problems).toEqual([
      'sources[0] (audit-gz).region: required for tencent-cloudaudit',
      'sources[0] (audit-gz).options.returnLocaton: unknown key; did you mean "returnLocation"?',
      'sources[1] (ucloud-ops).options.maxResults: Too big: expected number to be <=100',
      'sources[2] (dbss-bj4).options.authMode: Invalid option: expected one of "aksk"|"token"',
    ]);
  });
});

describe('credentials', () => {
  const [audit] = parseSources([{ id: 'audit-gz', type: 'tencent-cloudaudit', region: 'ap-guangzhou' }]);
  const cloudAudit = registry.get('tencent-cloudaudit')!;
  const dbss = registry.get('huawei-dbss')!;
  const fake = { secretId: 'AKIDbadInputFakeId0001', secretKey: 'badInputFakeSecretKey-9Xq2' };

  it('BI-33 the instance secret does not exist: the source and the secret named, with Secrets Manager\'s reason', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudtap/audit-gz-AbCdEf';
    const error = await credentialsFromSecret(cloudAudit, audit!, arn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      new RegExp(`^invalid configuration in credentials of source audit-gz:\\n  - cannot read secret ${escape(arn)}: .*can't find the specified secret`),
    );
  });

  it('BI-34 the secret lacks a field, or is not JSON: the field and the secret named, never a value', async () => {
    const partial = secrets.putSecret('cloudtap/audit-gz-partial', { secretId: fake.secretId });
    const missing = await credentialsFromSecret(cloudAudit, audit!, partial).catch((caught: unknown) => caught);
    expect((missing as ConfigError).issues).toEqual([`secretKey: missing from secret ${partial} (expected a JSON string field)`]);

    const text = secrets.putSecret('cloudtap/audit-gz-text', `secretKey=${fake.secretKey}`);
    const notJson = await credentialsFromSecret(cloudAudit, audit!, text).catch((caught: unknown) => caught);
    expect((notJson as ConfigError).issues).toEqual([`secret ${text} is not a JSON object of string fields (secretId, secretKey, token)`]);
    expectNoSecret(`${(missing as Error).message}\n${(notJson as Error).message}`, fake);
  });

  it('BI-34 a Huawei secret with neither a complete AK/SK nor a complete password set: what the chosen authMode needs, named', async () => {
    const [instance] = parseSources([
      {
        id: 'dbss-bj4',
        type: 'huawei-dbss',
        region: 'cn-north-4',
        options: { projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', instanceId: '8f2c9a61d4b7e05312fa6c8b9d0e7a41in01' },
      },
    ]);
    const arn = secrets.putSecret('cloudtap/dbss-bj4', { accessKeyId: 'BADINPUTFAKEAK000001', password: 'badInputFakePassword-1' });
    const credentials = await credentialsFromSecret(dbss, instance!, arn);
    const error = (() => {
      try {
        dbss.create({ instance: instance!, credentials, clock: systemClock, log: silentLog });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual(['secretAccessKey: required for authMode "aksk" (AK/SK signing)']);
    expectNoSecret((error as Error).message, credentials);
  });

  it('BI-36 a local run without the variables that hold the keys: each variable named, the source too', () => {
    const error = (() => {
      try {
        return credentialsFromEnv(cloudAudit, audit!, { TENCENTCLOUD_SECRET_ID: fake.secretId });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('invalid configuration in credentials of source audit-gz:\n  - secretKey: set the environment variable TENCENTCLOUD_SECRET_KEY');
  });
});

/** Validated instances, as the loader resolves them (and as the scheduled event hands them to the Lambda). */
const parseSources = (sources: Record<string, unknown>[]) => parseConfig({ sources }, registry).sources;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
