import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from './lambda-bundling';

export interface CloudtapFunctionProps {
  readonly description: string;
  /** The handler file. */
  readonly entry: string;
  /** The folder holding package-lock.json; esbuild resolves modules from here. */
  readonly projectRoot: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Files written beside the bundle (file name -> content): what outgrows the environment's 4 KB. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * A cloudtap Lambda function: its own log group and its own role (instead of
 * AWSLambdaBasicExecutionRole, which may write to any log group), the ESM bundle,
 * and `files` written into the asset.
 */
export function cloudtapFunction(scope: Construct, props: CloudtapFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const files = Object.entries(props.files ?? {});
  return new NodejsFunction(scope, 'Function', {
    description: props.description,
    entry: props.entry,
    projectRoot: props.projectRoot,
    depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
    handler: 'handler',
    // The newest Node.js runtime aws-cdk-lib knows, and esbuild's target below with it;
    // the code also runs on Node 20 (bundle.test.ts loads the bundle there).
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    environment: props.environment,
    role,
    logGroup,
    tracing: lambda.Tracing.DISABLED,
    bundling: {
      ...LAMBDA_BUNDLING,
      format: OutputFormat.ESM,
      mainFields: [...LAMBDA_BUNDLING.mainFields],
      // Ship the SDK version the tests ran against rather than whatever the runtime carries.
      bundleAwsSDK: true,
      ...(files.length > 0 && {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            files.flatMap(([name, content]) => writeFileCommands(`${outputDir}/${name}`, content)),
        },
      }),
    },
  });
}

/**
 * Shell lines writing `content` to `path` that read the same to bash (Linux, macOS, Docker
 * bundling) and to cmd (Windows): base64 needs no quoting in either, and chunks keep each
 * line far below cmd's 8191 characters.
 */
export function writeFileCommands(path: string, content: string): string[] {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const target = base64(path);
  const chunks = base64(content).match(/.{1,6000}/g) ?? [''];
  return chunks.map(
    (chunk, index) =>
      `node -e "require('fs').${index === 0 ? 'writeFileSync' : 'appendFileSync'}(Buffer.from(process.argv[1],'base64').toString(),Buffer.from(process.argv[2]||'','base64'))" ${target} ${chunk}`,
  );
}
