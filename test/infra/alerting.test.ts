import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../infra/constructs/alerting';
import { writeFileCommands } from '../../infra/constructs/cloudtap-function';
import { CloudtapStack, PROJECT_ROOT } from '../../infra/stack';
import { alertsSchema } from '../../shared/config/alerts';
import { parseConfig } from '../../shared/config/load';
import { ConfigError } from '../../shared/lib/errors';
import { defaultRules } from '../../shared/config/default-rules';
import { registry } from '../../shared/providers/registry';
import { readBundledRules } from '../../shared/runtime/bundled-rules';
import { DISPATCH_TABLE_FILE } from '../../shared/runtime/invocation';
import { SOURCES, actions, arnOf, cdkContext, logicalId, ref, resources, statementsOfRole, type Statement } from './destination-helpers';

const ALERTS = {
  email: ['secops@example.com', 'oncall@example.org'],
  https: ['https://hooks.example.com/services/T000/B000/fake-webhook-token'],
  eventBusName: 'cloudtap-alerts',
  siemLink: 'https://siem.example.com/app/search?q=event.id%3D{event.id}',
};
/** A custom rule: a default one under a new id, so it is valid in whatever shape the pack uses. */
const CUSTOM = { ...structuredClone(defaultRules[0]!), id: 'acme-audit-tampering', name: 'Acme: audit tampering' };
const RULES = { disabled: [defaultRules[1]!.id], custom: [CUSTOM] };

function synth(extra: Record<string, unknown>, app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } })) {
  const config = parseConfig({ sources: SOURCES, ...extra }, registry);
  const stack = new CloudtapStack(app, 'Alerts', { config, registry });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, any>; Outputs: Record<string, any> };
  const fn = stack.pullers.get('tencent-cloudaudit')!.function;
  return { config, stack, template, json, fn, statements: statementsOfRole(json, logicalId(fn.role!)) };
}

const { config, stack, template, json, fn, statements } = synth({ alerts: ALERTS, rules: RULES });
const { topic, bus } = stack.alerting;
const table = stack.cursorTable.table;
const ofService = (all: Statement[], prefix: string) => all.filter((s) => actions(s).some((a) => a.startsWith(prefix)));

describe('Alerting: the topic', () => {
  it("is encrypted with the stack's key", () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(stack.encryptionKey.key), DisplayName: 'cloudtap alerts' });
  });

  it('falls back to the AWS-managed SNS key when built without one, publishers needing no key grant', () => {
    const plainStack = new Stack(new App(), 'Plain');
    const alerting = new Alerting(plainStack, 'Alerting', { alerts: alertsSchema.parse({}) });
    const role = new iam.Role(plainStack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    alerting.grantPublishAlerts(role);
    const plainJson = Template.fromStack(plainStack).toJSON() as { Resources: Record<string, any> };
    expect(plainJson.Resources[logicalId(alerting.topic)].Properties.KmsMasterKeyId).toBe('alias/aws/sns');
    expect(ofService(statementsOfRole(plainJson as never, logicalId(role)), 'kms:')).toEqual([]);
  });

  it('refuses every publish without TLS, and its policy allows nothing', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    const [policy] = policies as [{ Properties: Record<string, any> }];
    expect(policy.Properties.Topics).toEqual([ref(topic)]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(topic),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('has exactly the configured subscriptions, with ids that carry no endpoint', () => {
    const subscriptions = template.findResources('AWS::SNS::Subscription');
    expect(Object.values(subscriptions).map((s) => s.Properties)).toEqual(
      expect.arrayContaining([
        { TopicArn: ref(topic), Protocol: 'email', Endpoint: 'secops@example.com' },
        { TopicArn: ref(topic), Protocol: 'email', Endpoint: 'oncall@example.org' },
        { TopicArn: ref(topic), Protocol: 'https', Endpoint: ALERTS.https[0] },
      ]),
    );
    expect(Object.keys(subscriptions)).toHaveLength(3);
    expect(Object.keys(subscriptions).join(' ')).not.toMatch(/token|secops|example/i);
    // Reordering the list replaces nothing (a replaced email subscription would need confirming again).
    const reordered = synth({ alerts: { ...ALERTS, email: [...ALERTS.email].reverse() } }).template;
    expect(Object.keys(reordered.findResources('AWS::SNS::Subscription')).sort()).toEqual(Object.keys(subscriptions).sort());
  });

  it('takes a customer-managed key and grants publishers its use for this topic only, through SNS', () => {
    const keyStack = new Stack(new App(), 'Key');
    const key = new kms.Key(keyStack, 'Key');
    const alerting = new Alerting(keyStack, 'Alerting', {
      alerts: alertsSchema.parse({}),
      encryptionKey: key,
    });
    const role = new iam.Role(keyStack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    alerting.grantPublishAlerts(role);
    const keyJson = Template.fromStack(keyStack).toJSON() as { Resources: Record<string, any> };
    expect(keyJson.Resources[logicalId(alerting.topic)].Properties.KmsMasterKeyId).toEqual(arnOf(key));
    const keyUse = ofService(statementsOfRole(keyJson as never, logicalId(role)), 'kms:');
    expect(keyUse.flatMap(actions).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(keyUse.flatMap(resources)).toEqual([arnOf(key)]);
    expect(keyUse[0]!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      StringLike: { 'kms:EncryptionContext:aws:sns:topicArn': ref(alerting.topic) },
    });
  });
});

describe('Alerting: the bus', () => {
  it('creates the named custom bus', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cloudtap-alerts' });
  });

  it("uses the account's default bus when none is named, and subscribes nobody", () => {
    const plain = synth({});
    plain.template.resourceCountIs('AWS::Events::EventBus', 0);
    plain.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const putEvents = ofService(plain.statements, 'events:');
    expect(putEvents.flatMap(actions)).toEqual(['events:PutEvents']);
    expect(JSON.stringify(putEvents.flatMap(resources))).toMatch(/:event-bus\/default"\]\]\}\]$/);
    const variables = plain.json.Resources[logicalId(plain.fn)].Properties.Environment.Variables;
    expect(variables.CLOUDTAP_ALERT_BUS_NAME).toBe('default');
    expect(variables.CLOUDTAP_SIEM_LINK).toBeUndefined();
  });
});

describe('Alerting: the puller', () => {
  it('may publish on this topic only, put events on this bus only, and keep alert state in the cursor table only', () => {
    const sns = ofService(statements, 'sns:');
    expect(sns.flatMap(actions)).toEqual(['sns:Publish']);
    expect(sns.flatMap(resources)).toEqual([ref(topic)]);
    const events = ofService(statements, 'events:');
    expect(events.flatMap(actions)).toEqual(['events:PutEvents']);
    expect(events.flatMap(resources)).toEqual([arnOf(bus)]);
    const dynamo = ofService(statements, 'dynamodb:');
    // Cursor access plus what dedup markers and the outbox add, in one statement (stack.test.ts reads it whole):
    // no Scan, Query or batch actions, and the alert items every type shares among its keys.
    expect(dynamo.map((s) => [actions(s), s.Resource])).toEqual([[['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], arnOf(table)]]);
    expect(dynamo[0]!.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys']).toEqual(expect.arrayContaining(['alert#*', 'outbox#*', 'outbox-index']));
    // The key for the topic and the table once each, however many grants asked for it.
    const keyContexts = ofService(statements, 'kms:').map((s) => Object.keys(s.Condition!.StringLike!));
    expect(keyContexts.flat().sort()).toEqual([
      'kms:EncryptionContext:SecretARN',
      'kms:EncryptionContext:aws:dynamodb:tableName',
      'kms:EncryptionContext:aws:sns:topicArn',
      'kms:EncryptionContext:aws:sqs:arn',
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) expect(resources(statement)).not.toContain('*');
    }
  });

  it('gets the topic, the bus and the SIEM link in its environment', () => {
    expect(json.Resources[logicalId(fn)].Properties.Environment.Variables).toMatchObject({
      CLOUDTAP_ALERT_TOPIC_ARN: ref(topic),
      CLOUDTAP_ALERT_BUS_NAME: ref(bus),
      CLOUDTAP_SIEM_LINK: ALERTS.siemLink,
    });
  });

  it('outputs the topic ARN and the bus name', () => {
    template.hasOutput('AlertTopicArn', { Value: ref(topic), Export: { Name: 'Alerts-AlertTopicArn' } });
    template.hasOutput('AlertBusName', { Value: ref(bus), Export: { Name: 'Alerts-AlertBusName' } });
  });
});

describe('the bundled rules file', () => {
  const work = mkdtempSync(join(tmpdir(), 'cloudtap-alerting-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is written by shell lines that bash runs verbatim, however large and whatever it holds', () => {
    const content = JSON.stringify({ text: `quotes ' " \` $HOME %PATH% ! & | ; 漢字 ${'x'.repeat(20_000)}` });
    const path = join(work, 'dir with space', 'cloudtap-rules.json');
    mkdirSync(join(work, 'dir with space'));
    const commands = writeFileCommands(path, content);
    expect(commands.length).toBeGreaterThan(1);
    for (const command of commands) {
      expect(command.length).toBeLessThan(8191);
      const run = spawnSync('bash', ['-c', command], { cwd: work, encoding: 'utf8' });
      expect(run.stderr).toBe('');
    }
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('is read as the defaults when absent, and stops the cold start when it does not parse', () => {
    expect(readBundledRules(pathToFileURL(join(work, 'absent.json')))).toEqual({ disabled: [], custom: [] });
    const bad = (name: string, text: string) => {
      writeFileSync(join(work, name), text);
      try {
        readBundledRules(pathToFileURL(join(work, name)));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).where).toBe(join(work, name));
        return (error as ConfigError).issues;
      }
      throw new Error(`${name} was accepted`);
    };
    expect(bad('truncated.json', '{"disabled":[')).toEqual(['not valid JSON']);
    expect(bad('shape.json', JSON.stringify({ disabled: [7], custom: [] }))).toEqual([expect.stringMatching(/^disabled\[0\]: /)]);
    expect(bad('rule.json', JSON.stringify({ disabled: [], custom: [{ ...CUSTOM, severity: 'urgent' }] }))).toEqual([
      expect.stringMatching(/^custom\[0\]\.severity: /),
    ]);
  });

  it('lands beside index.mjs in a real bundling synth, and the bundled code reads it', () => {
    const outdir = join(work, 'cdk.out');
    const app = new App({ outdir, context: cdkContext });
    const entryFor = () => join(PROJECT_ROOT, 'test', 'infra', 'rules-entry.ts');
    const stacks = {
      withRules: new CloudtapStack(app, 'WithRules', { config: config, registry, entryFor }),
      without: new CloudtapStack(app, 'NoRules', { config: { ...config, rules: { disabled: [], custom: [] } }, registry, entryFor }),
    };
    const assembly = app.synth();
    const bundled = Object.fromEntries(
      Object.entries(stacks).map(([name, s]) => {
        const puller = s.pullers.get('tencent-cloudaudit')!;
        const key: string = assembly.getStackByName(s.stackName).template.Resources[logicalId(puller.function)].Properties.Code.S3Key;
        const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
        const load = spawnSync(
          process.execPath,
          ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); console.log(JSON.stringify(await m.handler()));`],
          { encoding: 'utf8', env: { PATH: process.env.PATH } },
        );
        expect(load.status, load.stderr).toBe(0);
        return [name, { files: readdirSync(dir).sort(), dir, read: JSON.parse(load.stdout) }];
      }),
    );

    expect(bundled.withRules!.files).toEqual(['cloudtap-rules.json', 'index.mjs']);
    const written = JSON.parse(readFileSync(join(bundled.withRules!.dir, 'cloudtap-rules.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(config.rules)));
    expect(written.custom.map((rule: { id: string }) => rule.id)).toEqual(['acme-audit-tampering']);
    expect(bundled.withRules!.read).toEqual(written);
    // Nothing configured, nothing written: the function reads that as every default rule and no custom one.
    expect(bundled.without!.files).toEqual(['index.mjs']);
    expect(bundled.without!.read).toEqual({ disabled: [], custom: [] });

    // The dispatcher's table lands the same way, beside its code.
    const dispatcher = stacks.withRules.dispatcher;
    const dispatchKey: string = assembly.getStackByName('WithRules').template.Resources[logicalId(dispatcher.function)].Properties.Code.S3Key;
    const dispatchDir = join(outdir, `asset.${dispatchKey.replace(/\.zip$/, '')}`);
    expect(readdirSync(dispatchDir).sort()).toEqual([DISPATCH_TABLE_FILE, 'index.mjs']);
    expect(JSON.parse(readFileSync(join(dispatchDir, DISPATCH_TABLE_FILE), 'utf8'))).toEqual(JSON.parse(JSON.stringify(dispatcher.table)));
    expect(dispatcher.table.entries.map((entry) => entry.secretName)).toEqual(['cloudtap/audit-gz']);
  }, 120_000);
});
