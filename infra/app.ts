import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { loadConfigFile } from '../shared/config/load';
import { ConfigError } from '../shared/lib/errors';
import { registry } from '../shared/providers/registry';
import { CloudtapStack } from './stack';

const app = new App();
// `-c config=path` wins over the `cloudtap:config` default in cdk.json.
const configPath = resolve(app.node.tryGetContext('config') ?? app.node.tryGetContext('cloudtap:config') ?? 'cloudtap.example.yaml');
// `-c cloudtap:stackName=Name`: several cloudtap stacks per account and region, every name scoped by it.
const stackName: string = app.node.tryGetContext('cloudtap:stackName') ?? 'Cloudtap';

// `-c cloudtap:nag=true`: cdk-nag's AwsSolutions checks run at synth and fail it on any
// unacknowledged error; the template then records each acknowledgement and its reason
// (Metadata.cdk_nag). cdk-nag is a dev dependency, so it is loaded only when asked for.
if (String(app.node.tryGetContext('cloudtap:nag')) === 'true') {
  const { AwsSolutionsChecks } = await import('cdk-nag');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

try {
  const config = await loadConfigFile(configPath, registry);
  const { account, region } = config.deployment;
  new CloudtapStack(app, stackName, {
    config,
    registry,
    // deployment.account/region pin the stack's environment; without them it deploys wherever the CLI's credentials point.
    ...((account || region) && { env: { account, region } }),
    description: `cloudtap: audit-log pullers and delivery (config ${configPath.split('/').pop()})`,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The message lists every problem with its path; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
