import { DEFAULT_BUS_NAME } from '../config/alerts';
import type { CloudtapConfig } from '../config/load';
import { credentialSecretName, secretNameBySet } from './credential-secret-name';

/**
 * How big the stack for a configuration will be, without synthesizing it (no CDK in
 * the CLI): resources counted exactly as infra/ builds them, template bytes as an
 * upper bound. test/infra/deployment-size.test.ts keeps both true against real synths.
 */

/** CloudFormation's documented limits per template, as the CDK also enforces them (Stack: MAX_RESOURCES, TEMPLATE_BODY_MAXIMUM_SIZE). */
export const CLOUDFORMATION_LIMITS = { resources: 500, templateBytes: 1_000_000 } as const;
/** IAM's documented limit on a role's inline policies together, in characters without whitespace. */
export const IAM_ROLE_POLICY_CHARS = 10_240;

export interface DeploymentSize {
  /** Resources in the one template. */
  readonly resources: number;
  /** An upper bound of the template's size as `cdk synth` writes it. */
  readonly templateBytes: number;
  /** Secrets Manager secrets: one per credential set. */
  readonly secrets: number;
  /** EventBridge schedules: the dispatcher's one rule, whatever the number of instances. */
  readonly schedules: number;
  /** SQS queues: one per source type, and the failed-invocations queue. */
  readonly queues: number;
  readonly sourceTypes: number;
  /** Enabled instances: what the dispatcher sends runs for. */
  readonly enabledInstances: number;
  /** An upper bound of the largest puller role's inline policy: it names each secret its type reads, twice. */
  readonly largestRolePolicyChars: number;
}

/** Resources that do not depend on sources: key, table, failed-invocations queue and policy, the dispatcher (log group, role, policy, function, async invoke config, rule, permission), the four saved queries and the four stack alarms. */
const FIXED_RESOURCES = 2 + 2 + 7 + 4 + 4;
/** The destination's: S3 = the bucket, its access-log bucket, their policies, the stream, its role, policy, log group and stream; Splunk and Elastic add their secret and a second log stream. */
const DELIVERY_RESOURCES = { s3: 9, splunk: 11, elastic: 11 } as const;
/**
 * Security Lake: the Glue database, the Firehose role and policy, and per OCSF class a table, a stream and a log group and stream (11);
 * registering the sources adds the crawler role and policy, per class a custom resource and its policy, and the provider function and its role (9).
 */
const SECURITY_LAKE_RESOURCES = { base: 11, registration: 9 } as const;
/** The alert topic and its policy; a subscription per endpoint and a custom bus add one each. */
const ALERTING_RESOURCES = 2;
/** A source type: log group, role, policy, function, queue, queue policy, event source mapping. */
const TYPE_RESOURCES = 7;
/** A type with enabled instances: its three alarms (runs failing, instances stalled, queue backlog). */
const LIVE_TYPE_RESOURCES = 3;

/**
 * Template bytes measured on synths (test/infra/deployment-size.test.ts prints them),
 * rounded up: the fixed part, per source type, per live type (alarms, graphs), per
 * secret and per grant of a set's secret to a type's function, plus what grows with
 * names. BYTES_MARGIN covers what the measurements did not vary.
 */
const BYTES = {
  fixed: 32_300,
  dashboard: 5_300,
  destination: { s3: 0, splunk: 400, elastic: 750 },
  /** The Glue tables' OCSF column types are long; registration adds the custom resources and their provider. */
  securityLake: { base: 38_000, registration: 19_000 },
  alertEndpoint: 220,
  type: 10_200,
  liveTypeAlarms: 4_250,
  liveTypeDashboard: 2_950,
  sharedSecret: 420,
  perInstanceSecret: 670,
  /** Two ARN patterns of the secret: its read grant and its key use. */
  grant: 650,
  /** Bytes per character of the stack's name: alarm, query and secret names, descriptions. */
  stackNameChars: (types: number, sharedSecrets: number) => 24 + 6 * types + 3 * sharedSecrets,
  /** A tag repeats on every taggable resource. */
  tag: (key: string, value: string) => key.length + value.length + 40,
} as const;
const BYTES_MARGIN = 1.08;

/**
 * A puller role's policy: what every one holds (logs, queue, table, stream, alerts,
 * their key use), then per secret read its ARN pattern twice, each up to the
 * longest partition and region names plus the account: 72 characters and the name.
 */
const POLICY_CHARS = { fixed: 4_000, perSecret: (name: string) => 2 * (name.length + 72) } as const;

export function estimateDeploymentSize(config: CloudtapConfig, stackName: string): DeploymentSize {
  const types = [...new Set(config.sources.map((source) => source.type))];
  const enabled = config.sources.filter((source) => source.enabled);
  const liveTypes = new Set(enabled.map((source) => source.type)).size;
  const perInstance = config.credentialSets.filter((set) => set.perInstance && config.sources.some((source) => source.credentialSet === set.name));
  const shared = config.credentialSets.filter((set) => !set.perInstance);
  const secrets = perInstance.length + shared.length;
  const { alerts, destination, monitoring } = config;
  const alertEndpoints = alerts.email.length + alerts.https.length + (alerts.eventBusName === DEFAULT_BUS_NAME ? 0 : 1);

  const resources =
    FIXED_RESOURCES +
    (destination.type === 'security-lake'
      ? SECURITY_LAKE_RESOURCES.base + (destination.register ? SECURITY_LAKE_RESOURCES.registration : 0)
      : DELIVERY_RESOURCES[destination.type]) +
    ALERTING_RESOURCES +
    alertEndpoints +
    (monitoring.dashboard ? 1 : 0) +
    TYPE_RESOURCES * types.length +
    LIVE_TYPE_RESOURCES * liveTypes +
    secrets;

  const secretNameOf = secretNameBySet(config, stackName);
  const readsByType = types.map((type) => [...new Set(config.sources.filter((s) => s.type === type).map((s) => secretNameOf(s.credentialSet)))]);
  const grants = readsByType.flat();
  const policyChars = readsByType.map((names) => names.reduce<number>((sum, name) => sum + POLICY_CHARS.perSecret(name), POLICY_CHARS.fixed));
  const endpointChars = [...alerts.email, ...alerts.https].reduce((sum, endpoint) => sum + endpoint.length, 0);
  const bytes =
    BYTES.fixed +
    (monitoring.dashboard ? BYTES.dashboard + BYTES.liveTypeDashboard * liveTypes : 0) +
    (destination.type === 'security-lake'
      ? BYTES.securityLake.base + (destination.register ? BYTES.securityLake.registration : 0)
      : BYTES.destination[destination.type]) +
    BYTES.alertEndpoint * alertEndpoints +
    endpointChars +
    (alerts.siemLink?.length ?? 0) * types.length +
    BYTES.type * types.length +
    BYTES.liveTypeAlarms * liveTypes +
    perInstance.reduce((sum, set) => sum + BYTES.perInstanceSecret + 3 * credentialSecretName(set, stackName).length, 0) +
    shared.reduce((sum, set) => sum + BYTES.sharedSecret + 3 * credentialSecretName(set, stackName).length, 0) +
    grants.reduce((sum, name) => sum + BYTES.grant + 2 * name.length, 0) +
    stackName.length * BYTES.stackNameChars(types.length, shared.length) +
    Object.entries(config.deployment.tags).reduce((sum, [key, value]) => sum + BYTES.tag(key, value) * resources, 0);

  return {
    resources,
    templateBytes: Math.ceil(bytes * BYTES_MARGIN),
    secrets,
    schedules: 1,
    queues: types.length + 1,
    sourceTypes: types.length,
    enabledInstances: enabled.length,
    largestRolePolicyChars: Math.max(0, ...policyChars),
  };
}

/** What a deploy would fail on: each limit exceeded, with the figure. */
export function deploymentLimitProblems(size: DeploymentSize): string[] {
  const problems: string[] = [];
  if (size.resources > CLOUDFORMATION_LIMITS.resources) {
    problems.push(
      `the stack would have ${size.resources} resources; CloudFormation allows ${CLOUDFORMATION_LIMITS.resources} per template (fewer credential sets or source types, or split the sources over two stacks with -c cloudtap:stackName)`,
    );
  }
  if (size.templateBytes > CLOUDFORMATION_LIMITS.templateBytes) {
    problems.push(
      `the stack's template could reach ${size.templateBytes} bytes; CloudFormation allows ${CLOUDFORMATION_LIMITS.templateBytes} (fewer credential sets or source types, or split the sources over two stacks with -c cloudtap:stackName)`,
    );
  }
  if (size.largestRolePolicyChars > IAM_ROLE_POLICY_CHARS) {
    problems.push(
      `a source type's function would read so many credential sets' secrets that its role's policy could reach ${size.largestRolePolicyChars} characters; IAM allows ${IAM_ROLE_POLICY_CHARS} (fewer sets per source type, or split the sources over two stacks with -c cloudtap:stackName)`,
    );
  }
  return problems;
}
