/**
 * Contract point 8, end to end: distinctive fake secrets are planted in every
 * credential field of every source type (and in the function role's AWS keys),
 * then each deployed handler (functions/pull/handler.ts told its type, imported as Lambda
 * loads it) runs against its provider simulator, dynalite, and the Firehose,
 * Secrets Manager, SNS and EventBridge wire servers, through a successful run
 * that raises alerts and through every way a run fails. Everything the runs
 * produce is kept: every byte written to stdout/stderr, every record Firehose
 * received (accepted or rejected), every SNS Publish and EventBridge entry sent,
 * every error thrown, every run summary and every item of the cursor table
 * after each run. No planted value may appear in any of it, in any encoding.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInstance } from '../../shared/config/load';
import { sourceInstanceSchema } from '../../shared/config/schema';
import type { RunSummary } from '../../shared/core/run-options';
import type { SourceDefinition, SourceInstanceConfig } from '../../shared/providers/definition';
import { actionTrailDefinition } from '../../shared/providers/alibaba/actiontrail/definition';
import { ctsDefinition } from '../../shared/providers/huawei/cts/definition';
import { dbssDefinition } from '../../shared/providers/huawei/dbss/definition';
import { definitions } from '../../shared/providers/registry';
import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import { sslDefinition } from '../../shared/providers/tencent/ssl/definition';
import { ucloudOperationsDefinition } from '../../shared/providers/ucloud/operations/definition';
import { generateActionTrailEvents, LOOKUP_EVENTS, startActionTrailSimulator } from '../../simulators/alibaba/actiontrail/simulator';
import type { Fault as AlibabaFault } from '../../simulators/alibaba/server';
import type { GenerateBase } from '../../simulators/common/random';
import { generateDbssEvents, OPERATION_LOG, startDbssSimulator } from '../../simulators/huawei/dbss/simulator';
import type { Fault as HuaweiFault, HuaweiApiServer, SimulatorAkSk } from '../../simulators/huawei/server';
import type { IamSimulator, SimulatorIamUser } from '../../simulators/huawei/iam';
import { LIST_TRACES, generateCtsTraces, startCtsSimulator } from '../../simulators/huawei/cts/simulator';
import type { Fault as TencentFault, TencentApiServer } from '../../simulators/tencent/api-server';
import { DESCRIBE_EVENTS, generateCloudAuditEvents, startCloudAuditSimulator } from '../../simulators/tencent/cloudaudit/simulator';
import { DESCRIBE_CERTIFICATE_OPERATE_LOGS, generateSslEvents, startSslSimulator } from '../../simulators/tencent/ssl/simulator';
import { GET_USER_OPERATION_EVENTS, generateOperationEvents, startUCloudOperationsSimulator } from '../../simulators/ucloud/operations/simulator';
import type { Fault as UCloudFault } from '../../simulators/ucloud/server';
import { jsonLines, lambdaContext, outcomesIn, pullMessage, queueEvent, startSourceHandler, type SourceHandlerEnvironment } from '../support/source-handler';
import { findLeaks, OutputCapture, renderError } from './leak-search';

/**
 * The function role's keys, as the Lambda runtime puts them in the
 * environment: secrets too, planted like the provider keys.
 */
const AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIAROLELEAKVXZHJ8WS',
  AWS_SECRET_ACCESS_KEY: 'roleLeakSk/ckMEih1PJ+NpRax=l0ygd77gzPn',
  AWS_SESSION_TOKEN: 'IQoJroleLeakTok+c0RCf3lm/ampDj4=GKbq',
};

/**
 * A backlog this short is one window, paged by one lane: each run makes few
 * requests, which the simulators' paced APIs (5 req/s for two of them) answer quickly.
 */
const LOOKBACK = '14m';
/** Rounds of the four retryable faults: more answers than a run's 4-5 attempts at a page. */
const FAULT_ROUNDS = 2;
/**
 * How many answers a persistent fault gives: more than a failing run makes
 * requests before it stops. A bad page is retried like a 5xx, so that is up to
 * 4 lanes sharing the faulty answers, each making up to 5 attempts before one gives up.
 */
const FAULTY_ANSWERS = 4 * 5;

/** A provider simulator as the runs drive it. */
interface ProviderUnderTest {
  server: { url: string; close(): Promise<void> };
  addEvents(options: GenerateBase): void;
  /** Throttling, 5xx answers and dropped connections, in turn, on every request until cleared. */
  failWithRetryableErrors(): void;
  /** An answer that is not the API's JSON (`malformed`) or is cut in half (`truncated`), on every request until cleared. */
  failWithBadPages(kind: 'malformed' | 'truncated'): void;
  /** A permission error quoting back the credentials the request carried (key id, session token), until cleared. */
  failEchoingCredentials(): void;
  clearFaults(): void;
  /** Secrets the provider handed out during the runs (IAM tokens), by label. */
  issuedSecrets(): Record<string, string>;
}

type Environment = SourceHandlerEnvironment<ProviderUnderTest>;

interface Scenario {
  /** Also the source instance id. */
  id: string;
  title: string;
  /** The secret's value: credential fields, or a text that is not JSON. */
  secret: Record<string, string> | string;
  /** Instance options besides the profile's; the simulator's URL for endpoints it also serves. */
  options?(endpoint: string): Record<string, unknown>;
  /** Run in a new container: warm state of earlier runs (e.g. an open notifier breaker) is gone, as by the next schedule. */
  coldStart?: boolean;
  arrange?(environment: Environment): void;
  /**
   * `delivered`: a run that delivers, its alerts `deferred` or `published` (or, deduplicated, neither).
   * `fails`: the error's name (its cause's, for a failed run), its provider code, and what its message says.
   */
  outcome: { delivered: true; alerts?: 'deferred' | 'published' } | { fails: string; code?: string; mentions?: string };
}

/** One source type: its definition, simulator, planted credentials and the runs only it has. */
interface LeakProfile {
  definition: SourceDefinition<any>;
  /** Instance settings besides id, type and endpoint. */
  instance: Record<string, unknown>;
  /** Every credential field of the type, planted; the simulator accepts exactly these keys. */
  credentials: Record<string, string>;
  /** The same key id with a secret the provider no longer accepts, and the error code it answers. */
  revoked: { credentials: Record<string, string>; code: string };
  /** The field a secret "missing a field" lacks. */
  secretField: string;
  /** The code of the permission error that quotes the credentials back. */
  echoCode: string;
  start(): Promise<ProviderUnderTest>;
  /** Runs of another auth mode, and their planted values by label. */
  more?: { scenarios: Scenario[]; planted: Record<string, string> };
}

const repeat = <T>(cycle: T[]): T[] => Array.from({ length: FAULT_ROUNDS }, () => cycle).flat();

/** Tencent API 3.0 simulators share the server, its faults and its answers. */
function tencentProvider(
  server: TencentApiServer,
  action: string,
  credentials: { secretId: string; token: string },
  addEvents: (options: GenerateBase) => void,
): ProviderUnderTest {
  const retryable: TencentFault[] = [{ kind: 'throttle' }, { kind: 'internal' }, { kind: 'http500', status: 502 }, { kind: 'reset' }];
  return {
    server,
    addEvents,
    failWithRetryableErrors: () => server.faults.push(...repeat(retryable).map((fault) => ({ ...fault, action }))),
    failWithBadPages: (kind) => server.faults.push({ kind, action, times: FAULTY_ANSWERS }),
    failEchoingCredentials: () =>
      server.faults.push({
        kind: 'error',
        action,
        times: FAULTY_ANSWERS,
        code: 'AuthFailure.UnauthorizedOperation',
        message: `The SecretId ${credentials.secretId} (session token ${credentials.token}) is not authorized to perform ${action}.`,
      }),
    clearFaults: () => server.faults.clear(),
    issuedSecrets: () => ({}),
  };
}

const tencentCloudAudit: LeakProfile = (() => {
  const credentials = { secretId: 'AKIDcaLeakvGALOl4KUr5gTd', secretKey: 'caLeakSk+tkLGAQ/LHwp"hzj5\\Zq4M=hpdL', token: 'caLeakTok/rCRK6R+NoaX41=kikfQB0B' };
  return {
    definition: cloudAuditDefinition,
    instance: { region: 'ap-guangzhou' },
    credentials,
    revoked: { credentials: { ...credentials, secretKey: 'caLeakRevoked+85zlQ/NHyHQ=uNbU' }, code: 'AuthFailure.SignatureFailure' },
    secretField: 'secretKey',
    echoCode: 'AuthFailure.UnauthorizedOperation',
    async start() {
      const { server, cloudaudit } = await startCloudAuditSimulator({ credentials: [credentials] });
      return tencentProvider(server, DESCRIBE_EVENTS.action, credentials, (options) => cloudaudit.addEvents(generateCloudAuditEvents(options)));
    },
  };
})();

const tencentSsl: LeakProfile = (() => {
  const credentials = { secretId: 'AKIDsslLeak7T2ROReeHqUFQ6', secretKey: 'sslLeakSk/3SD6nw+AJSR"UIQA\\CkiJ=An7y', token: 'sslLeakTok+tRi0in/5Cj5n=zp1ifxsj1' };
  return {
    definition: sslDefinition,
    instance: {},
    credentials,
    revoked: { credentials: { ...credentials, secretKey: 'sslLeakRevoked/QWsHO+rH9LN=PgB7' }, code: 'AuthFailure.SignatureFailure' },
    secretField: 'secretKey',
    echoCode: 'AuthFailure.UnauthorizedOperation',
    async start() {
      const { server, ssl } = await startSslSimulator({ credentials: [credentials] });
      return tencentProvider(server, DESCRIBE_CERTIFICATE_OPERATE_LOGS.action, credentials, (options) => ssl.addEvents(generateSslEvents(options)));
    },
  };
})();

const ucloudOperations: LeakProfile = (() => {
  const credentials = { publicKey: 'ucLeakPub/1CediT+hitHJ=uOVS0tF', privateKey: 'ucLeakPriv"uO5pe\\jM0Q4+qecQ/sb4u=RGHV' };
  const action = GET_USER_OPERATION_EVENTS.action;
  const retryable: UCloudFault[] = [{ kind: 'throttle' }, { kind: 'unavailable' }, { kind: 'http500', status: 502 }, { kind: 'reset' }];
  return {
    definition: ucloudOperationsDefinition,
    instance: {},
    credentials,
    revoked: { credentials: { ...credentials, privateKey: 'ucLeakRevoked+hOoW1/s6l9A=OIao' }, code: '171' },
    secretField: 'privateKey',
    echoCode: '299',
    async start() {
      const { server, operations } = await startUCloudOperationsSimulator({ credentials: [credentials] });
      return {
        server,
        addEvents: (options) => operations.addEvents(generateOperationEvents(options)),
        failWithRetryableErrors: () => server.faults.push(...repeat(retryable).map((fault) => ({ ...fault, action }))),
        failWithBadPages: (kind) => server.faults.push({ kind, action, times: FAULTY_ANSWERS }),
        failEchoingCredentials: () =>
          server.faults.push({ kind: 'error', action, times: FAULTY_ANSWERS, retCode: 299, message: `Permission denied for PublicKey [${credentials.publicKey}]` }),
        clearFaults: () => server.faults.clear(),
        issuedSecrets: () => ({}),
      };
    },
  };
})();

/** What differs between the Huawei APIs: each signs and signs in alike (shared/providers/huawei/). */
interface HuaweiApiUnderTest {
  definition: LeakProfile['definition'];
  options: Record<string, string>;
  route: string;
  start(options: { credentials: SimulatorAkSk[]; iamUsers: SimulatorIamUser[] }): Promise<{ server: HuaweiApiServer; iam: IamSimulator; addEvents(options: GenerateBase): void }>;
}

const huaweiProfile = (api: HuaweiApiUnderTest): LeakProfile => {
  const ids = api.options;
  const credentials = { accessKeyId: 'HWLEAKAKSPITWMVF6GKREU', secretAccessKey: 'hwLeakSk+23c9t/2Fne"ledv8\\F99i=XPav', securityToken: 'hwLeakStsTok+Vw10fb/QEAxO=C8x4NXkGr' };
  // The IAM-token mode's fields: the user signs in with its password and DBSS is called with the token.
  const password = { domainName: 'hwLeakDomain-j9Gu82YYBpIUct', userName: 'hwLeakUser-j9L0PiXXSRYTU3', password: 'hwLeakPw"Ge4Ts\\Nu9+Pa2/Hd6=Rk1' };
  const wrongPassword = 'hwLeakRevokedPw+Jm5Xv/Qc8Ly=Bf3';
  const route = api.route;
  const retryable: HuaweiFault[] = [{ kind: 'throttle' }, { kind: 'internal' }, { kind: 'http', status: 502 }, { kind: 'reset' }];
  const tokenMode = (endpoint: string) => ({ authMode: 'token', iamEndpoint: endpoint });
  /** Set by a run that has IAM revoke its token on first use (as a password change would). */
  let revokeOnFirstUse = false;
  return {
    definition: api.definition,
    instance: { region: 'cn-north-4', options: ids },
    credentials,
    revoked: { credentials: { ...credentials, secretAccessKey: 'hwLeakRevokedSk+Wz6Dn/Kp1Ht=Gs9' }, code: 'APIGW.0301' },
    secretField: 'secretAccessKey',
    echoCode: 'APIGW.0302',
    async start() {
      const { server, iam, addEvents } = await api.start({ credentials: [credentials], iamUsers: [{ ...password, projects: [ids.projectId!] }] });
      // Every token the client presents is one IAM issued it: a secret like the password.
      const tokens = new Set<string>();
      server.tokens = {
        verifyToken: (token, now) => {
          tokens.add(token);
          if (revokeOnFirstUse) iam.expireAll();
          revokeOnFirstUse = false;
          return iam.verifyToken(token, now);
        },
      };
      return {
        server,
        addEvents,
        failWithRetryableErrors: () => server.faults.push(...repeat(retryable).map((fault) => ({ ...fault, route }))),
        failWithBadPages: (kind) => server.faults.push({ kind, route, times: FAULTY_ANSWERS }),
        failEchoingCredentials: () =>
          server.faults.push({
            kind: 'error',
            route,
            times: FAULTY_ANSWERS,
            status: 403,
            code: 'APIGW.0302',
            message: `The IAM user of AK ${credentials.accessKeyId} (security token ${credentials.securityToken}) is not authorized to access the project.`,
          }),
        clearFaults: () => server.faults.clear(),
        issuedSecrets: () => Object.fromEntries([...tokens].map((token, i) => [`IAM token ${i + 1}`, token])),
      };
    },
    more: {
      planted: { ...password, 'wrong password': wrongPassword },
      scenarios: [
        {
          id: 'leak-token-mode',
          title: 'IAM-token mode delivers, signing in again when its token is revoked mid-run',
          secret: password,
          options: tokenMode,
          // API Gateway answers 401 "token expires": the client drops the token and signs in again.
          arrange: () => (revokeOnFirstUse = true),
          outcome: { delivered: true },
        },
        {
          id: 'leak-token-wrong-password',
          title: 'IAM-token mode with a password IAM refuses',
          secret: { ...password, password: wrongPassword },
          options: tokenMode,
          outcome: { fails: 'ProviderError', code: 'IAM.0101' },
        },
        {
          id: 'leak-both-modes',
          title: 'a secret holding both the AK/SK and the password sets',
          secret: { ...credentials, ...password },
          outcome: { fails: 'ConfigError', mentions: 'keep exactly one' },
        },
      ],
    },
  };
};

const alibabaActionTrail: LeakProfile = (() => {
  const credentials = { accessKeyId: 'STS.atLeakKeyIdNUQNP4PiGyck', accessKeySecret: 'atLeakSk+8Jq2/Vw"Lx5\\Rt0=Hm3Ze', securityToken: 'atLeakStsTok+Qe7Wn/Ky4Ub=Tp6Ms2' };
  const action = LOOKUP_EVENTS.action;
  const retryable: AlibabaFault[] = [{ kind: 'throttle' }, { kind: 'unavailable' }, { kind: 'http500', status: 502 }, { kind: 'reset' }];
  return {
    definition: actionTrailDefinition,
    instance: { region: 'cn-hangzhou' },
    credentials,
    revoked: { credentials: { ...credentials, accessKeySecret: 'atLeakRevoked+Hd2Kq/Wm7Zp=Rb4' }, code: 'SignatureDoesNotMatch' },
    secretField: 'accessKeySecret',
    echoCode: 'Forbidden.RAM',
    async start() {
      const { server, actiontrail } = await startActionTrailSimulator({ credentials: [credentials] });
      return {
        server,
        addEvents: (options) => actiontrail.addEvents(generateActionTrailEvents(options)),
        failWithRetryableErrors: () => server.faults.push(...repeat(retryable).map((fault) => ({ ...fault, action }))),
        failWithBadPages: (kind) => server.faults.push({ kind, action, times: FAULTY_ANSWERS }),
        failEchoingCredentials: () =>
          server.faults.push({
            kind: 'error',
            action,
            times: FAULTY_ANSWERS,
            status: 403,
            code: 'Forbidden.RAM',
            message: `User with AccessKey ${credentials.accessKeyId} (SecurityToken ${credentials.securityToken}) is not authorized to operate on the specified resource.`,
          }),
        clearFaults: () => server.faults.clear(),
        issuedSecrets: () => ({}),
      };
    },
  };
})();

const huaweiDbss = huaweiProfile({
  definition: dbssDefinition,
  options: { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' },
  route: OPERATION_LOG.route,
  async start(options) {
    const ids = { projectId: '0123456789abcdef0123456789abcdef', instanceId: 'fedcba9876543210fedcba9876543210in01' };
    const { server, dbss, iam } = await startDbssSimulator({ ...options, instances: [ids] });
    return { server, iam, addEvents: (events) => dbss.addEvents(ids.projectId, ids.instanceId, generateDbssEvents(events)) };
  },
});

const huaweiCts = huaweiProfile({
  definition: ctsDefinition,
  options: { projectId: '0123456789abcdef0123456789abcdef' },
  route: LIST_TRACES.route,
  async start(options) {
    const projectId = '0123456789abcdef0123456789abcdef';
    const { server, cts, iam } = await startCtsSimulator({ ...options, projects: [projectId] });
    return { server, iam, addEvents: (events) => cts.addTraces(projectId, generateCtsTraces(events)) };
  },
});

const profileByType = new Map([tencentCloudAudit, tencentSsl, ucloudOperations, huaweiDbss, alibabaActionTrail, huaweiCts].map((profile) => [profile.definition.type, profile]));

/** Every registered type, in registry order: a type without a profile fails here, by name. */
const PROFILES = definitions.map((definition) => {
  const profile = profileByType.get(definition.type);
  if (profile?.definition !== definition) throw new Error(`no secret-leak profile for ${definition.type}: add one beside the others`);
  return profile;
});

/** A hand-edited secret whose `field` lost its quotes. */
function notJson(credentials: Record<string, string>, field: string): string {
  const members = Object.entries(credentials).map(([name, value]) => `${JSON.stringify(name)}:${name === field ? value : JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

/**
 * The runs every type goes through, in order. SNS is down in the first: its
 * alerts go to the outbox, which the next run publishes (alerts of the same
 * events are deduplicated afterwards, whatever the source instance). That run
 * gets a new container, as the next schedule minutes later would find SNS's
 * breaker closed again.
 */
function scenariosOf(profile: LeakProfile): Scenario[] {
  const { credentials, revoked, secretField } = profile;
  const missingField = Object.fromEntries(Object.entries(credentials).filter(([name]) => name !== secretField));
  return [
    {
      id: 'leak-sns-down',
      title: 'SNS down: the run delivers and keeps its alerts in the outbox',
      secret: credentials,
      arrange: ({ sns }) => sns.faults.failCalls(10_000),
      outcome: { delivered: true, alerts: 'deferred' },
    },
    {
      id: 'leak-delivers',
      title: 'a successful run delivers and publishes the deferred alerts',
      secret: credentials,
      coldStart: true,
      outcome: { delivered: true, alerts: 'published' },
    },
    {
      id: 'leak-revoked-key',
      title: 'a revoked key: the provider rejects the signature',
      secret: revoked.credentials,
      outcome: { fails: 'ProviderError', code: revoked.code },
    },
    {
      id: 'leak-provider-errors',
      title: 'throttling, 5xx answers and dropped connections until the retries run out',
      secret: credentials,
      arrange: ({ simulator }) => simulator.failWithRetryableErrors(),
      outcome: { fails: 'ProviderError' },
    },
    {
      id: 'leak-echoed-credentials',
      title: 'a permission error quoting back the key id and session token the request carried',
      secret: credentials,
      arrange: ({ simulator }) => simulator.failEchoingCredentials(),
      outcome: { fails: 'ProviderError', code: profile.echoCode, mentions: '[redacted]' },
    },
    {
      id: 'leak-malformed',
      title: "a page that is not the API's JSON",
      secret: credentials,
      arrange: ({ simulator }) => simulator.failWithBadPages('malformed'),
      outcome: { fails: 'UnreadableBodyError' },
    },
    {
      id: 'leak-truncated',
      title: 'a page cut in half',
      secret: credentials,
      arrange: ({ simulator }) => simulator.failWithBadPages('truncated'),
      outcome: { fails: 'UnreadableBodyError' },
    },
    {
      id: 'leak-firehose-down',
      title: 'Firehose refusing the delivery (the stream is gone)',
      secret: credentials,
      // Not retried, so the sink gives up at once; a retried failure would cost seconds of backoff.
      arrange: ({ firehose }) => firehose.faults.failCalls(FAULTY_ANSWERS, 'ResourceNotFoundException'),
      outcome: { fails: 'DeliveryError' },
    },
    {
      id: 'leak-missing-field',
      title: `a secret missing ${secretField}`,
      secret: missingField,
      // Named, never quoted: the message names the field it lacks.
      outcome: { fails: 'ConfigError', mentions: `${secretField}: ` },
    },
    {
      id: 'leak-not-json',
      title: 'a secret that is not JSON',
      secret: notJson(credentials, secretField),
      outcome: { fails: 'ConfigError', mentions: 'is not a JSON object' },
    },
    ...(profile.more?.scenarios ?? []),
  ];
}

/** Every planted value, by label: the type's keys, the revoked secret, other modes' fields, issued tokens and the role's keys. */
function plantedValues(profile: LeakProfile, issued: Record<string, string>): Record<string, string> {
  const revoked = Object.entries(profile.revoked.credentials).filter(([name, value]) => profile.credentials[name] !== value);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = AWS_ENV;
  return {
    ...profile.credentials,
    ...Object.fromEntries(revoked.map(([name, value]) => [`revoked ${name}`, value])),
    ...profile.more?.planted,
    ...issued,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN,
  };
}

/** The instance as the stack writes it into the schedule's input. */
function instanceOf(profile: LeakProfile, scenario: Scenario, endpoint: string): SourceInstanceConfig {
  const input = sourceInstanceSchema.parse({
    id: scenario.id,
    type: profile.definition.type,
    endpoint,
    lag: '1m',
    start: LOOKBACK,
    ...profile.instance,
    ...(scenario.options && { options: { ...(profile.instance.options as object | undefined), ...scenario.options(endpoint) } }),
  });
  const problems: string[] = [];
  const resolved = resolveInstance(input, profile.definition, 'sources[0]', problems);
  expect(problems).toEqual([]);
  return resolved as SourceInstanceConfig;
}

/** A log line or an EMF object, when the line is JSON. */
function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

describe.each(PROFILES.map((profile) => [profile.definition.type, profile] as const))('%s handler with planted secrets', (type, profile) => {
  const table = `leak-${type}`;
  const stream = `leak-${type}-events`;
  const scenarios = scenariosOf(profile);
  const capture = new OutputCapture();
  const summaries: RunSummary[] = [];
  const errors: unknown[] = [];
  /** The cursor table after each run: cursors, lastError, dedup claims, the outbox. */
  const tableStates: string[] = [];
  let environment: Environment | undefined;

  beforeAll(async () => {
    // From before the import: a cold start may write too.
    capture.start();
    environment = await startSourceHandler({
      type,
      table,
      stream,
      simulator: () => profile.start(),
      awsEnv: AWS_ENV,
      alerting: true,
      // Everything the function can write: debug lines, the incoming event, EMF metrics.
      env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_LOGGER_LOG_EVENT: 'true' },
      unset: ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_DISABLED'],
    });
    const now = Math.floor(Date.now() / 1000);
    // The generators mix in the sensitive actions the default rules alert on.
    environment.simulator.addEvents({ count: 120, from: now - 800, to: now - 90, seed: 808 });
  });

  afterAll(async () => {
    capture.stop();
    await environment?.stop();
  });

  async function scanTable(): Promise<string> {
    const items: unknown[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await environment!.db.client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return JSON.stringify(items);
  }

  it.each(scenarios.map((scenario) => [scenario.title, scenario] as const))('%s', async (_title, scenario) => {
    const env = environment!;
    const source = instanceOf(profile, scenario, env.simulator.server.url);
    const secretName = `cloudtap/${scenario.id}`;
    env.secrets.putSecret(secretName, scenario.secret);
    if (scenario.coldStart) await env.coldStart();
    scenario.arrange?.(env);
    // The handler reports a failed record in its batch response and logs why; the outcome is read from its lines.
    const mark = capture.text().length;
    let response: unknown;
    try {
      response = await env.handler(queueEvent(pullMessage(source, secretName)), lambdaContext(`req-${scenario.id}`));
    } finally {
      env.simulator.clearFaults();
      env.firehose.faults.reset();
      env.sns.faults.reset();
      tableStates.push(await scanTable());
    }
    const { summaries: finished, failures } = outcomesIn(jsonLines(capture.text().slice(mark)));
    summaries.push(...finished);
    errors.push(...failures);

    const { outcome } = scenario;
    if ('fails' in outcome) {
      expect(finished, 'the run should fail').toEqual([]);
      expect((response as { batchItemFailures: unknown[] }).batchItemFailures).toHaveLength(1);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ errorName: outcome.fails, ...(outcome.code && { code: outcome.code }) });
      if (outcome.mentions) expect(failures[0]!.error).toContain(outcome.mentions);
    } else {
      expect(failures).toEqual([]);
      expect(finished).toHaveLength(1);
      expect(finished[0]!.delivered).toBeGreaterThan(0);
      if (outcome.alerts) expect(finished[0]!.alerts[outcome.alerts]).toBeGreaterThan(0);
    }
  });

  it('no planted value, in any encoding, appears in any output, record, alert, error or stored item', async ({ annotate }) => {
    const env = environment!;
    const output = capture.text();
    const records = env.firehose.calls.flatMap((call) => call.records);
    const documents = records.reduce((n, record) => n + record.toString('utf8').split('\n').filter(Boolean).length, 0);
    const texts = {
      'stdout/stderr': output,
      'Firehose records': records.map((record) => record.toString('utf8')).join('\n'),
      // What was sent, refused calls included; not the Authorization header, which must name the role's key id.
      'SNS publishes': JSON.stringify(env.sns.calls.map((call) => call.params)),
      'EventBridge entries': JSON.stringify(env.eventBridge.calls.map((call) => call.entries)),
      'handler errors': errors.map(renderError).join('\n'),
      'run summaries': JSON.stringify(summaries),
      'DynamoDB items': tableStates.join('\n'),
    };
    const planted = plantedValues(profile, env.simulator.issuedSecrets());
    expect(findLeaks(planted, texts)).toEqual([]);

    // Not vacuous: every kind of output was produced, failures included.
    const lines = output.split('\n').map(parseLine).filter((line) => line !== undefined);
    const logs = lines.filter((line) => !('_aws' in line));
    const metrics = lines.filter((line) => '_aws' in line);
    const failing = scenarios.filter((scenario) => 'fails' in scenario.outcome).length;
    expect(errors).toHaveLength(failing);
    expect(logs.filter((line) => line.message === 'run failed')).toHaveLength(failing);
    expect(logs.filter((line) => line.message === 'run finished')).toHaveLength(scenarios.length - failing);
    expect(metrics.length).toBeGreaterThanOrEqual(scenarios.length);
    const rejected = env.firehose.calls.reduce((n, call) => n + (call.error ? call.records.length : call.failed.length), 0);
    expect(env.firehose.acknowledgedRecords(stream).length).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    expect(env.sns.published.length).toBeGreaterThan(0);
    expect(env.sns.calls.some((call) => call.error)).toBe(true);
    expect(env.eventBridge.events.length).toBeGreaterThan(0);
    expect(texts['DynamoDB items']).toContain('"lastError"');
    expect(texts['DynamoDB items']).toContain('outbox#');

    await annotate(
      `${Object.keys(planted).length} planted values absent from ${logs.length} log lines and ${metrics.length} EMF objects, ` +
        `${records.length} Firehose records of ${documents} documents (${rejected} records rejected), ${env.sns.calls.length} SNS Publish calls (${env.sns.published.length} accepted), ` +
        `${env.eventBridge.calls.reduce((n, call) => n + call.entries.length, 0)} EventBridge entries, ${errors.length} errors, ` +
        `${summaries.length} summaries and ${tableStates.length} table states`,
    );
  });
});
