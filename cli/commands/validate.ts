import { loadConfigFile, type CloudtapConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { formatDuration } from '../../shared/lib/duration';
import { credentialSecretName } from '../../shared/ops/credential-secret-name';
import { CLOUDFORMATION_LIMITS, IAM_ROLE_POLICY_CHARS, deploymentLimitProblems, estimateDeploymentSize, type DeploymentSize } from '../../shared/ops/deployment-size';
import { registry } from '../../shared/providers/registry';
import { EXIT } from '../exit-codes';
import { writeJson, type CommandIo } from '../io';

export interface ValidateCommandOptions {
  configPath: string;
  json?: boolean;
  /** The stack the size is estimated for (`-c cloudtap:stackName`); names grow with it. */
  stackName?: string;
  io?: CommandIo;
}

/**
 * `cloudtap validate`: check a config file; print what it configures so a person sees
 * the defaults that apply, and the size of the stack it deploys; refuse one that
 * CloudFormation or IAM would refuse at deploy time.
 */
export async function validateCommand(options: ValidateCommandOptions): Promise<number> {
  const io = options.io ?? process;
  let config: CloudtapConfig;
  try {
    config = await loadConfigFile(options.configPath, registry);
  } catch (error) {
    if (!(error instanceof ConfigError) || !options.json) throw error;
    writeJson(io, { file: options.configPath, valid: false, problems: error.issues });
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  const stackName = options.stackName ?? 'Cloudtap';
  const size = estimateDeploymentSize(config, stackName);
  const problems = deploymentLimitProblems(size).map((problem) => `deployment (stack ${stackName}): ${problem}`);
  if (options.json) {
    const deployment = { stackName, ...size, limits: { ...CLOUDFORMATION_LIMITS, rolePolicyChars: IAM_ROLE_POLICY_CHARS } };
    writeJson(io, { file: options.configPath, valid: problems.length === 0, ...(problems.length > 0 && { problems }), ...describeConfig(config, stackName), deployment });
    if (problems.length > 0) io.stderr.write(`${new ConfigError(options.configPath, problems).message}\n`);
    return problems.length > 0 ? EXIT.usage : EXIT.ok;
  }
  if (problems.length > 0) {
    io.stderr.write(`${new ConfigError(options.configPath, problems).message}\n`);
    io.stderr.write(`${describeSize(size, stackName)}\n`);
    return EXIT.usage;
  }
  io.stdout.write(`${options.configPath} is valid: ${config.sources.length} source(s), destination ${config.destination.type}\n`);
  for (const source of config.sources) {
    const start = 'at' in source.start ? new Date(source.start.at * 1000).toISOString() : `${formatDuration(source.start.lookbackSeconds)} ago`;
    io.stdout.write(
      `  ${source.id} (${source.type}${source.region ? `, ${source.region}` : ''})${source.enabled ? '' : ' [disabled]'}: ${source.schedule}, lag ${formatDuration(source.lagSeconds)}, first run from ${start}${source.endpoint ? `, endpoint ${source.endpoint}` : ''}\n`,
    );
  }
  io.stdout.write(`${describeSize(size, stackName)}\n`);
  const secrets = secretsOf(config, stackName);
  io.stdout.write(`secrets to fill after the deploy (aws secretsmanager put-secret-value):\n`);
  for (const secret of secrets) io.stdout.write(`  ${secret.secretName}: ${secret.fields.join(', ')} (${secret.instances} instance(s))\n`);
  return EXIT.ok;
}

/** Each credential set that an enabled instance uses, as the stack names its secret, with the fields it holds. */
function secretsOf(config: CloudtapConfig, stackName: string) {
  return config.credentialSets
    .map((set) => ({
      name: set.name,
      vendor: set.vendor,
      perInstance: set.perInstance,
      secretName: credentialSecretName(set, stackName),
      fields: set.fields,
      instances: config.sources.filter((source) => source.enabled && source.credentialSet === set.name).length,
    }))
    .filter((secret) => secret.instances > 0);
}

/** The deployment's size beside the limits it must stay within. */
function describeSize(size: DeploymentSize, stackName: string): string {
  return (
    `deployment (stack ${stackName}): ${size.resources} of ${CLOUDFORMATION_LIMITS.resources} resources, template up to ${size.templateBytes} of ${CLOUDFORMATION_LIMITS.templateBytes} bytes, ` +
    `${size.secrets} secret(s), ${size.schedules} schedule, ${size.queues} queue(s) for ${size.sourceTypes} source type(s), ${size.enabledInstances} enabled instance(s)`
  );
}

/** What `validate --json` reports: every resolved source (no credentials, only the variables that hold them) and the destination. */
function describeConfig(config: CloudtapConfig, stackName: string) {
  return {
    destination: { type: config.destination.type },
    credentialSets: secretsOf(config, stackName),
    sources: config.sources.map((source) => ({
      id: source.id,
      type: source.type,
      region: source.region ?? null,
      enabled: source.enabled,
      schedule: source.schedule,
      lagSeconds: source.lagSeconds,
      start: 'at' in source.start ? { at: new Date(source.start.at * 1000).toISOString() } : { lookbackSeconds: source.start.lookbackSeconds },
      endpoint: source.endpoint ?? null,
      credentialSet: source.credentialSet,
      credentialEnv: source.credentialEnv,
    })),
  };
}
