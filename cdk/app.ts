/**
 * The CDK app: `npm run synth` (offline, no credentials) and `npm run deploy`.
 * Stage by context: `-c stage=prod` (default dev); every resource name carries it.
 */
import { App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceStack } from './service-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export function buildApp(app = new App()) {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9-]{1,15}$/.test(stage)) throw new Error(`stage "${stage}" must be lower-case letters, digits and dashes`);
  const mailDomain = String(app.node.tryGetContext('mailDomain') ?? 'legday.example.com');
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new StatefulStack(app, `legday-${stage}-data`, { stage, env });
  const service = new ServiceStack(app, `legday-${stage}-service`, {
    stage,
    env,
    table: data.table,
    twilioFrom: String(app.node.tryGetContext('twilioFrom') ?? '+15005550006'),
    twilioMessagingServiceSid: app.node.tryGetContext('twilioMessagingServiceSid') as string | undefined,
    sendRatePerSecond: app.node.tryGetContext('sendRatePerSecond') === undefined ? undefined : Number(app.node.tryGetContext('sendRatePerSecond')),
    publicUrl: app.node.tryGetContext('publicUrl') as string | undefined,
    alarmEmail: app.node.tryGetContext('alarmEmail') as string | undefined,
    mailBucket: data.mailBucket,
    mailDomain,
    mailFrom: String(app.node.tryGetContext('mailFrom') ?? `legday <coach@${mailDomain}>`),
  });
  Tags.of(app).add('app', 'legday');
  Tags.of(app).add('stage', stage);
  // AwsSolutions rules run on every synth; an unsuppressed error fails it.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, data, service, stage };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
