import { CfnOutput, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  ReceiptRuleSet,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct, type IConstruct } from 'constructs';

export const INBOUND_PREFIX = 'inbound/';

export interface EmailResourcesProps {
  stage: string;
  /** The domain mail is sent from and received at; verified in SES through the DKIM records this outputs. */
  mailDomain: string;
  /** The address people write to (and replies go to): the receipt rule's one recipient. */
  mailAddress: string;
}

/**
 * SES for legday: the sending identity, a configuration set whose bounce and complaint events go
 * to an SNS topic (delivered over HTTPS to the API, which checks each message's signature), the
 * receipt rule that stores inbound mail in S3 and hands it to the inbound-email function, and the
 * key that signs the links in our emails.
 */
export class EmailResources extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly eventsTopic: Topic;
  readonly linkSecret: Secret;
  private readonly props: EmailResourcesProps;

  constructor(scope: Construct, id: string, props: EmailResourcesProps) {
    super(scope, id);
    this.props = props;
    const { stage } = props;
    const identity = new EmailIdentity(this, 'Identity', { identity: Identity.domain(props.mailDomain) });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { configurationSetName: `legday-${stage}` });

    const key = new Key(this, 'EventsKey', { enableKeyRotation: true, description: 'legday SES events topic' });
    // SES publishes to the encrypted topic, so it needs the key: only on behalf of this account
    // (aws:SourceAccount), so another account's SES cannot use it (the confused deputy).
    key.grant(
      new ServicePrincipal('ses.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Stack.of(this).account } }),
      'kms:GenerateDataKey*',
      'kms:Decrypt',
    );
    // Signature version 2 (SHA256): the API refuses version 1 (SHA1) messages.
    this.eventsTopic = new Topic(this, 'Events', { topicName: `legday-${stage}-ses-events`, masterKey: key, enforceSSL: true, signatureVersion: '2' });
    new ConfigurationSetEventDestination(this, 'BouncesAndComplaints', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.eventsTopic),
      // Delivery too: each reminder email records whether it arrived (tagged with its reminder when sent).
      events: [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // Rotating this key would break the unsubscribe links in every email already sent.
    this.linkSecret = new Secret(this, 'LinkSecret', {
      secretName: `legday/${stage}/link-signing-key`,
      description: 'Signs the confirm and one-click unsubscribe links in legday emails',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.linkSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Rotating the link key would invalidate the one-click unsubscribe links in every email already sent (RFC 8058 expects them to keep working).',
      },
    ]);

    // The three CNAMEs that verify the domain (and sign its mail with DKIM): add them at the DNS host.
    identity.dkimRecords.forEach((r, i) => new CfnOutput(this, `DkimRecord${i + 1}`, { value: `${r.name} CNAME ${r.value}` }));
  }

  /** IAM for sending: SendRawEmail from our domain, through our configuration set only. */
  grantSend(fn: IFunction & { addEnvironment(k: string, v: string): unknown }, mailFrom: string, linkSecretToo = true) {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.props.mailDomain }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
    fn.addEnvironment('MAIL_FROM', mailFrom);
    fn.addEnvironment('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
    fn.addEnvironment('SES_EVENTS_TOPIC_ARN', this.eventsTopic.topicArn);
    if (linkSecretToo) {
      this.linkSecret.grantRead(fn);
      fn.addEnvironment('LINK_SECRET_ARN', this.linkSecret.secretArn);
    }
  }

  /**
   * SNS delivers bounce and complaint events to the API over HTTPS; the API confirms the
   * subscription. `after`: what must exist before SNS sends the confirmation (the route, the function).
   */
  deliverEventsTo(url: string, after: readonly IConstruct[]) {
    const sub = new Subscription(this, 'EventsToApi', { topic: this.eventsTopic, protocol: SubscriptionProtocol.HTTPS, endpoint: url });
    for (const c of after) sub.node.addDependency(c);
  }

  /**
   * Inbound mail: a receipt rule for our address stores the raw message in the bucket, then invokes
   * the function. Scanning is on (spam and virus verdicts) and TLS is required. Only one rule set
   * can be active per account and region: docs/deploy.md says how to activate this one.
   */
  receiveInto(bucket: IBucket, fn: IFunction) {
    const ruleSet = new ReceiptRuleSet(this, 'Inbound', { receiptRuleSetName: `legday-${this.props.stage}-inbound` });
    ruleSet.addRule('ToCoach', {
      recipients: [this.props.mailAddress],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        new S3Action({ bucket, objectKeyPrefix: INBOUND_PREFIX }),
        new LambdaAction({ function: fn, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${INBOUND_PREFIX}*`)] }));
  }
}
