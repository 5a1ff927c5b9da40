import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { DUE_INDEX } from '../src/adapters/dynamo/keys.ts';
import { mailAddress } from '../src/config.ts';
import { EmailResources, INBOUND_PREFIX } from './email-resources.ts';
import { LegdayFunction } from './legday-function.ts';
import type { StageProps } from './stateful-stack.ts';

export interface ServiceProps extends StageProps {
  table: ITable;
  /** The public base URL Twilio calls; defaults to the HTTP API's own URL. */
  publicUrl?: string;
  twilioFrom: string;
  /** A Twilio Messaging Service (MG...): texts go through its number pool instead of twilioFrom (docs/deploy.md). */
  twilioMessagingServiceSid?: string;
  /** The account's outbound messages per second (1 for one long code; see docs/deploy.md). */
  sendRatePerSecond?: number;
  alarmEmail?: string;
  /** The bucket SES stores inbound mail in (stateful stack). */
  mailBucket: IBucket;
  /** The sending and receiving domain, verified in SES. */
  mailDomain: string;
  /** From header of every email, e.g. "legday <coach@legday.example.com>"; its address receives mail. */
  mailFrom: string;
}

/** Inbound mail is answered asynchronously; a handful at a time is plenty and leaves the rest to the api and sweeper. */
export const INBOUND_EMAIL_CONCURRENCY = 2;
const SWEEPER_TIMEOUT = Duration.seconds(55);

/** DynamoDB actions each function's code performs, and nothing else (tests/cdk checks this list). */
export const TABLE_ACTIONS = {
  // getUser, inboundReply (GetItem); pendingReminders (Query); commit (TransactWriteItems → Put/Update/ConditionCheck).
  api: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  // findDueReminders (Query on the index); claim (ConditionCheck + Update of the reminder and of the person's
  // hourly slot, GetItem when the slot is taken); sendRecord after an uncertain try (GetItem); finish/defer/cancel/expire (UpdateItem);
  // carrier refusals go through the same commit as a text (GetItem, Query, PutItem).
  sweeper: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  // emailOwner, getUser, replyPending (GetItem); pendingReminders (Query); commit; markReplySent (UpdateItem).
  inboundEmail: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
} as const;

/** The stateless service: functions, the HTTP API, the schedule, the secret, alarms. */
export class ServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id, props);
    const { stage, table } = props;
    const prod = stage === 'prod';

    // Twilio's account SID and auth token: the operator puts them here (docs/deploy.md); the
    // template holds only the ARN, and functions read it once per cold start.
    const twilioSecret = new Secret(this, 'TwilioSecret', {
      secretName: `legday/${stage}/twilio`,
      description: 'Twilio credentials for legday: {"accountSid": "AC...", "authToken": "..."}',
    });

    const common = {
      stage,
      retain: prod,
      environment: {
        TWILIO_FROM: props.twilioFrom,
        ...(props.twilioMessagingServiceSid ? { TWILIO_MESSAGING_SERVICE_SID: props.twilioMessagingServiceSid } : {}),
        DEFAULT_TIMEZONE: 'America/New_York',
      },
    };

    const email = new EmailResources(this, 'Email', { stage, mailDomain: props.mailDomain, mailAddress: mailAddress(props.mailFrom) });

    const api = new LegdayFunction(this, 'Api', { ...common, name: 'api', timeout: Duration.seconds(10) })
      .bindTable(table, TABLE_ACTIONS.api)
      .bindTwilioSecret(twilioSecret);
    // Sign-up sends the confirmation email.
    email.grantSend(api, props.mailFrom);

    // HTTP API rather than a Function URL: it gives route-level throttling (a cap on what a flood
    // of forged requests can cost) and access logs, for about $1 per million requests.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/http-api/legday-${stage}`,
      retention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
    });
    const httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `legday-${stage}`,
      createDefaultStage: true,
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', api);
    httpApi.addRoutes({ path: '/webhooks/twilio/sms', methods: [HttpMethod.POST], integration });
    // Delivery reports: every text the sweeper sends asks Twilio to call here.
    httpApi.addRoutes({ path: '/webhooks/twilio/status', methods: [HttpMethod.POST], integration });
    httpApi.addRoutes({ path: '/healthz', methods: [HttpMethod.GET], integration });
    httpApi.addRoutes({ path: '/', methods: [HttpMethod.GET, HttpMethod.POST], integration });
    httpApi.addRoutes({ path: '/email/confirm', methods: [HttpMethod.GET, HttpMethod.POST], integration });
    httpApi.addRoutes({ path: '/email/unsubscribe', methods: [HttpMethod.GET, HttpMethod.POST], integration });
    const sesEventsRoute = httpApi.addRoutes({ path: '/webhooks/ses/events', methods: [HttpMethod.POST], integration });
    const stageResource = httpApi.defaultStage!.node.defaultChild as CfnStage;
    stageResource.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        method: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    // Far above any real gym's traffic, far below what would run up a bill.
    stageResource.defaultRouteSettings = { throttlingRateLimit: 50, throttlingBurstLimit: 100 };
    const publicUrl = props.publicUrl ?? httpApi.apiEndpoint;
    api.addEnvironment('PUBLIC_URL', publicUrl);
    email.deliverEventsTo(`${publicUrl}/webhooks/ses/events`, [...sesEventsRoute, api, httpApi.defaultStage!]);

    // Failed async invocations of the sweeper land here instead of vanishing. SQS-managed
    // encryption: both Lambda and EventBridge can write to it without a key grant to get wrong.
    const dlq = new Queue(this, 'SweeperDlq', {
      queueName: `legday-${stage}-sweeper-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const sweeper = new LegdayFunction(this, 'Sweeper', {
      ...common,
      name: 'sweeper',
      timeout: SWEEPER_TIMEOUT,
      memorySize: 1024,
      deadLetterQueue: dlq,
      retryAttempts: 0,
      environment: { ...common.environment, PUBLIC_URL: publicUrl, SEND_RATE_PER_SECOND: String(props.sendRatePerSecond ?? 1) },
    })
      .bindTable(table, TABLE_ACTIONS.sweeper, [DUE_INDEX])
      .bindTwilioSecret(twilioSecret);
    email.grantSend(sweeper, props.mailFrom);

    // SES invokes it asynchronously and retries twice; what still fails lands in its queue.
    const inboundDlq = new Queue(this, 'InboundEmailDlq', {
      queueName: `legday-${stage}-inbound-email-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const inboundEmail = new LegdayFunction(this, 'InboundEmail', {
      ...common,
      name: 'inbound-email',
      timeout: Duration.seconds(30),
      // A flood of mail cannot take the concurrency the api and the sweeper need.
      reservedConcurrentExecutions: INBOUND_EMAIL_CONCURRENCY,
      deadLetterQueue: inboundDlq,
      environment: { ...common.environment, PUBLIC_URL: publicUrl, MAIL_BUCKET: props.mailBucket.bucketName, MAIL_PREFIX: INBOUND_PREFIX },
    }).bindTable(table, TABLE_ACTIONS.inboundEmail);
    // readLambdaConfig wants the Twilio secret's ARN too (one config for all functions); no read grant.
    inboundEmail.addEnvironment('TWILIO_SECRET_ARN', twilioSecret.secretArn);
    email.grantSend(inboundEmail, props.mailFrom);
    email.receiveInto(props.mailBucket, inboundEmail);
    NagSuppressions.addResourceSuppressions(
      inboundEmail,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'SES names each stored message after its message id, unknown in advance: the function may read objects under inbound/ only, and only GetObject.',
          // The bucket's ARN appears as a token or as a cross-stack import, depending on how the app is synthesized.
          appliesTo: [{ regex: '/^Resource::.*InboundMail[A-Za-z0-9]*.*\\/inbound\\/\\*$/' }],
        },
      ],
      true,
    );
    new Rule(this, 'EveryMinute', {
      ruleName: `legday-${stage}-sweep`,
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(sweeper, { retryAttempts: 0, deadLetterQueue: dlq })],
    });

    // Operations: every alarm goes to one topic.
    const alarmKey = new Key(this, 'AlarmKey', { enableKeyRotation: true, description: 'legday alarm topic' });
    const topic = new Topic(this, 'Alarms', { topicName: `legday-${stage}-alarms`, masterKey: alarmKey, enforceSSL: true });
    // CloudWatch publishes to the encrypted topic, so it needs the key.
    alarmKey.grantEncryptDecrypt(
      new ServicePrincipal('cloudwatch.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': this.account } }),
    );
    if (props.alarmEmail) {
      new Subscription(this, 'AlarmEmail', { topic, protocol: SubscriptionProtocol.EMAIL, endpoint: props.alarmEmail });
    }
    const action = new SnsAction(topic);
    const alarm = (id: string, metric: IMetric, threshold: number, description: string) =>
      new Alarm(this, id, {
        alarmName: `legday-${stage}-${id}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    const five = Duration.minutes(5);
    const custom = (name: string, service: string, statistic: string) =>
      new Metric({ namespace: 'legday', metricName: name, dimensionsMap: { service }, period: five, statistic });

    for (const [name, fn] of [
      ['api', api],
      ['sweeper', sweeper],
      ['inbound-email', inboundEmail],
    ] as const) {
      alarm(`${name}-errors`, fn.metricErrors({ period: five }), 1, `The ${name} function threw.`);
      alarm(`${name}-throttles`, fn.metricThrottles({ period: five }), 1, `The ${name} function was throttled.`);
    }
    alarm(
      'sweeper-duration',
      sweeper.metricDuration({ period: five, statistic: 'Maximum' }),
      SWEEPER_TIMEOUT.toMilliseconds() * 0.8,
      'A sweep took over 80% of its timeout: reminders may start to lag.',
    );
    alarm('reminders-failed', custom('RemindersFailed', 'legday-sweeper', 'Sum'), 1, 'Reminders gave up after their last retry.');
    alarm(
      'oldest-due-reminder',
      custom('OldestDueReminderAge', 'legday-sweeper', 'Maximum'),
      600,
      'A due reminder has waited more than 10 minutes to be sent.',
    );
    alarm(
      'reminder-lateness-p99',
      custom('ReminderLatenessP99', 'legday-sweeper', 'Maximum'),
      // Whole seconds: at least 901 is "more than 15 minutes".
      15 * 60 + 1,
      'The 99th percentile of scheduled texts went more than 15 minutes late: the sender cannot keep up (docs/deploy.md: which Twilio sender for how many lifters).',
    );
    alarm(
      'carrier-filtered',
      custom('CarrierFiltered', 'legday-api', 'Sum'),
      1,
      'A carrier filtered a text (Twilio 30007): check the wording and the sender registration (A2P 10DLC, toll-free verification).',
    );
    alarm(
      'enrolment-flood',
      custom('RateLimited_enrolments', 'legday-api', 'Sum'),
      1,
      'The hourly enrolment limit was hit: likely SMS pumping.',
    );
    alarm(
      'confirmation-email-cap',
      custom('RateLimited_confirmation_emails', 'legday-api', 'Sum'),
      1,
      'The hourly cap on confirmation emails was hit: likely a script posting the sign-up form (real sign-ups wait an hour).',
    );
    alarm('sweeper-dlq', dlq.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }), 1, 'Sweeper invocations failed.');
    alarm('inbound-email-dlq', inboundDlq.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }), 1, 'Inbound emails failed after SES retried them.');
    alarm('email-complaints', custom('EmailComplained', 'legday-api', 'Sum'), 1, 'Someone marked a legday email as spam: SES suspends senders whose complaint rate passes 0.1%.');

    new CfnOutput(this, 'WebhookUrl', { value: `${publicUrl}/webhooks/twilio/sms`, description: "Set as the Twilio number's messaging webhook (HTTP POST)." });
    new CfnOutput(this, 'TwilioSecretArn', { value: twilioSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'SignUpUrl', { value: `${publicUrl}/`, description: 'The sign-up page.' });

    NagSuppressions.addResourceSuppressions(twilioSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Twilio auth tokens are rotated in the Twilio console (primary/secondary token), not by a Lambda rotation function; docs/deploy.md describes the rotation.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      httpApi,
      [
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Public by design: Twilio and SNS cannot send IAM, Cognito or JWT credentials, and the sign-up page and email links are for anyone. Webhooks are authenticated in code (X-Twilio-Signature HMAC; SNS message signatures and topic), email links by their HMAC token, and anything else is refused with 403.',
        },
      ],
      true,
    );
    for (const fn of [api, sweeper, inboundEmail]) {
      NagSuppressions.addResourceSuppressions(
        fn,
        [
          {
            id: 'AwsSolutions-L1',
            reason: 'Node.js 22 is the runtime this service is specified and tested for (CI runs Node 20 and the code stays valid on 22); moving to a newer runtime is a deliberate upgrade, not a default.',
          },
          {
            id: 'AwsSolutions-IAM4',
            reason: "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs.",
            appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason: 'Only X-Ray PutTraceSegments/PutTelemetryRecords use Resource::*: those actions have no resource-level permissions.',
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }
  }
}
