import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.ts';
import { TABLE_ACTIONS } from '../../cdk/service-stack.ts';

/** The stacks as CloudFormation, built without bundling (bundles are measured in the benchmark). */
function synth(stage: 'dev' | 'prod') {
  const built = buildApp(new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } }));
  built.app.synth();
  return { ...built, data: Template.fromStack(built.data), service: Template.fromStack(built.service), stacks: [built.data, built.service] };
}
const dev = synth('dev');
const prod = synth('prod');

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
/** Every statement of the policies attached to a function's role. */
function statementsOf(t: Template, functionLogicalPrefix: string): Statement[] {
  const fns = t.findResources('AWS::Lambda::Function');
  const fnId = Object.keys(fns).find((id) => id.startsWith(functionLogicalPrefix))!;
  const roleRef = (fns[fnId]!.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement[]) => new Set(s.flatMap((x) => (Array.isArray(x.Action) ? x.Action : [x.Action])));

describe('the stateful stack', () => {
  it('has an on-demand table with point-in-time recovery, TTL and the sparse due index', () => {
    dev.data.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'legday-dev',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'due',
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['attempts', 'body', 'tz', 'uncertain', 'status', 'channel', 'to', 'dueAt', 'validUntil'] },
        }),
      ],
    });
  });

  it('keeps inbound mail encrypted, private, TLS-only and short-lived', () => {
    dev.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 14, Status: 'Enabled' })] },
    });
    dev.data.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('in prod, retains the table and bucket and turns on deletion protection', () => {
    prod.data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.data.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'legday-prod', DeletionProtectionEnabled: true });
    prod.data.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    dev.data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('the service stack', () => {
  it('runs every function on Node.js 22, arm64, with structured logs and a set log retention', () => {
    const fns = Object.values(dev.service.findResources('AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.FunctionName ?? '').startsWith('legday-'),
    );
    expect(fns.map((f) => f.Properties.FunctionName).sort()).toEqual(['legday-dev-api', 'legday-dev-inbound-email', 'legday-dev-sweeper']);
    for (const f of fns) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], LoggingConfig: { LogFormat: 'JSON' } });
      expect(f.Properties.Environment.Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', TWILIO_FROM: expect.any(String) });
    }
    dev.service.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('keeps Twilio credentials out of the template: only the secret ARN reaches the functions', () => {
    const json = JSON.stringify(dev.service.toJSON());
    expect(json).not.toMatch(/TWILIO_AUTH_TOKEN|TWILIO_ACCOUNT_SID/);
    dev.service.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'legday/dev/twilio' });
    for (const f of Object.values(dev.service.findResources('AWS::Lambda::Function'))) {
      if (!String(f.Properties.FunctionName ?? '').startsWith('legday-')) continue;
      expect(f.Properties.Environment.Variables.TWILIO_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^TwilioSecret/) });
    }
  });

  it('serves the webhooks, the sign-up page and the email links from an HTTP API with throttling and access logs', () => {
    const routes = Object.values(dev.service.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(routes).toEqual([
      'GET /',
      'GET /email/confirm',
      'GET /email/unsubscribe',
      'GET /healthz',
      'POST /',
      'POST /email/confirm',
      'POST /email/unsubscribe',
      'POST /webhooks/ses/events',
      'POST /webhooks/twilio/sms',
      'POST /webhooks/twilio/status',
    ]);
    dev.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('runs the sweeper every minute, with a dead-letter queue for failed invocations', () => {
    dev.service.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Sweeper'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    dev.service.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'legday-dev-sweeper',
      Timeout: 55,
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });

  it('has the alarm set, all on one SNS topic', () => {
    const alarms = dev.service.findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(alarms).map((a) => a.Properties.AlarmName).sort()).toEqual(
      [
        'api-errors',
        'api-throttles',
        'carrier-filtered',
        'confirmation-email-cap',
        'email-complaints',
        'enrolment-flood',
        'inbound-email-dlq',
        'inbound-email-errors',
        'inbound-email-throttles',
        'oldest-due-reminder',
        'reminder-lateness-p99',
        'reminders-failed',
        'sweeper-dlq',
        'sweeper-duration',
        'sweeper-errors',
        'sweeper-throttles',
      ].map((n) => `legday-dev-${n}`),
    );
    for (const a of Object.values(alarms)) expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    dev.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'legday-dev-sweeper-duration',
      Threshold: 44_000,
    });
    dev.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'legday-dev-reminders-failed',
      Namespace: 'legday',
      MetricName: 'RemindersFailed',
      Dimensions: [{ Name: 'service', Value: 'legday-sweeper' }],
    });
    // Scheduled texts more than 15 minutes late at the 99th percentile.
    dev.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'legday-dev-reminder-lateness-p99',
      MetricName: 'ReminderLatenessP99',
      Statistic: 'Maximum',
      Threshold: 901,
    });
    dev.service.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'legday-dev-carrier-filtered', MetricName: 'CarrierFiltered' });
  });
});

describe('email through SES', () => {
  it('stores inbound mail for our address in S3, then hands it to the inbound-email function, with scanning and TLS', () => {
    dev.service.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['coach@legday.example.com'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: 'inbound/' }) },
          { LambdaAction: Match.objectLike({ InvocationType: 'Event', FunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InboundEmail'), 'Arn'] } }) },
        ],
      }),
    });
  });

  it('reports bounces and complaints to an encrypted SNS topic delivered to the API over HTTPS', () => {
    dev.service.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ MatchingEventTypes: ['delivery', 'bounce', 'complaint'], SnsDestination: Match.anyValue() }),
    });
    dev.service.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'legday-dev-ses-events', KmsMasterKeyId: Match.anyValue() });
    dev.service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['/webhooks/ses/events'])]) }),
    });
  });

  it('generates the link-signing key in Secrets Manager; only its ARN reaches the functions', () => {
    dev.service.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'legday/dev/link-signing-key', GenerateSecretString: Match.objectLike({ PasswordLength: 48 }) });
    for (const f of Object.values(dev.service.findResources('AWS::Lambda::Function'))) {
      if (!String(f.Properties.FunctionName ?? '').startsWith('legday-')) continue;
      expect(f.Properties.Environment.Variables.LINK_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/LinkSecret/) });
    }
  });
});

describe('least privilege', () => {
  // X-Ray's two write actions have no resource-level permissions: the only place `*` is allowed.
  const XRAY = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  const SECRET = new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);

  it.each([
    // Sign-up sends the confirmation email.
    ['Api', TABLE_ACTIONS.api, ['ses:SendRawEmail']],
    // The sweeper also sends failed async invocations to its dead-letter queue.
    ['Sweeper', TABLE_ACTIONS.sweeper, ['sqs:SendMessage', 'ses:SendRawEmail']],
    ['InboundEmail', TABLE_ACTIONS.inboundEmail, ['sqs:SendMessage', 'ses:SendRawEmail', 's3:GetObject']],
  ] as const)('%s gets exactly the actions its code uses, each on a resource ARN', (prefix, tableActions, extra) => {
    const statements = statementsOf(dev.service, prefix);
    const expected = new Set([...tableActions.map((a) => `dynamodb:${a}`), ...SECRET, ...XRAY, ...extra]);
    expect([...actionsOf(statements)].sort()).toEqual([...expected].sort());
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      if (resources.includes('*')) expect(actions.every((a) => XRAY.has(a)), JSON.stringify(s)).toBe(true);
    }
  });

  it('email is sent only from our domain through our configuration set; inbound mail is read only under inbound/', () => {
    for (const prefix of ['Api', 'Sweeper', 'InboundEmail']) {
      const ses = statementsOf(dev.service, prefix).filter((s) => JSON.stringify(s.Action).includes('ses:'));
      expect(ses).toHaveLength(1);
      const resources = JSON.stringify(ses[0]!.Resource);
      expect(resources).toContain(':identity/legday.example.com');
      expect(resources).toMatch(/:configuration-set\/",\{"Ref":"EmailConfigurationSet/);
      expect(resources).not.toContain('"*"');
    }
    const s3 = statementsOf(dev.service, 'InboundEmail').filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(JSON.stringify(s3.map((s) => s.Resource))).toContain('/inbound/*');
    expect(statementsOf(dev.service, 'Api').some((s) => JSON.stringify(s.Action).includes('s3:'))).toBe(false);
  });

  it('only the sweeper may read the due index, and only that index', () => {
    const indexArns = (prefix: string) =>
      JSON.stringify(statementsOf(dev.service, prefix).filter((s) => JSON.stringify(s.Action).includes('dynamodb:')).map((s) => s.Resource));
    expect(indexArns('Api')).not.toContain('/index/');
    expect(indexArns('Sweeper')).toContain('/index/due');
    expect(indexArns('Sweeper')).not.toContain('/index/*');
  });

  it('no function may Scan, delete items or touch other tables', () => {
    for (const prefix of ['Api', 'Sweeper', 'InboundEmail']) {
      const actions = actionsOf(statementsOf(dev.service, prefix));
      for (const banned of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:*', 'dynamodb:BatchWriteItem', 'secretsmanager:*']) {
        expect(actions.has(banned), `${prefix} ${banned}`).toBe(false);
      }
    }
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it.each(['dev', 'prod'] as const)('%s: no unsuppressed errors or warnings', (stage) => {
    for (const stack of (stage === 'dev' ? dev : prod).stacks) {
      const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
      expect(warnings.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
    }
  });

  it('every suppression carries a written reason', () => {
    for (const stack of [...dev.stacks, ...prod.stacks]) {
      const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { reason: string }[] } } }> };
      for (const res of Object.values(template.Resources)) {
        for (const rule of res.Metadata?.cdk_nag?.rules_to_suppress ?? []) expect(rule.reason.length).toBeGreaterThan(40);
      }
    }
  });
});

describe('abuse limits in the stacks (issue 13)', () => {
  it('the inbound-email function has reserved concurrency, so a mail flood cannot starve the api and sweeper', () => {
    dev.service.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'legday-dev-inbound-email', ReservedConcurrentExecutions: 2 });
  });

  it('the SES events topic signs with version 2 (SHA256)', () => {
    dev.service.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'legday-dev-ses-events', SignatureVersion: '2' });
  });

  it('every KMS key grant to a service principal is pinned to this account (aws:SourceAccount)', () => {
    const keys = Object.values(dev.service.findResources('AWS::KMS::Key'));
    const statements = keys.flatMap((k) => k.Properties.KeyPolicy.Statement as { Principal?: { Service?: unknown }; Condition?: Record<string, Record<string, unknown>> }[]);
    const toServices = statements.filter((s) => s.Principal?.Service);
    expect(toServices.length).toBeGreaterThanOrEqual(2);
    for (const s of toServices) expect(s.Condition?.StringEquals?.['aws:SourceAccount'], JSON.stringify(s)).toBeDefined();
  });
});
