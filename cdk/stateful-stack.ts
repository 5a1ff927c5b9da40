import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { DUE_INDEX_KEYS, DUE_INDEX_PROJECTION, TABLE_KEYS, TTL_ATTRIBUTE } from '../src/adapters/dynamo/table.ts';

export interface StageProps extends StackProps {
  stage: string;
}

/** What holds data: the table and the inbound-mail bucket. Kept apart so the service can be torn down and redeployed freely. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly mailBucket: Bucket;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new Table(this, 'Table', {
      tableName: `legday-${props.stage}`,
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: prod,
      removalPolicy,
    });
    // The same definition DynamoDB Local gets (src/adapters/dynamo/table.ts), so the two cannot drift.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX_KEYS.name,
      partitionKey: { name: DUE_INDEX_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DUE_INDEX_KEYS.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...DUE_INDEX_PROJECTION],
    });

    this.mailBucket = new Bucket(this, 'InboundMail', {
      bucketName: undefined,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      // Raw inbound mail is only needed until it is parsed; keep it briefly for debugging.
      lifecycleRules: [{ expiration: Duration.days(14) }],
      removalPolicy,
      autoDeleteObjects: !prod,
    });
    NagSuppressions.addResourceSuppressions(this.mailBucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'Written only by SES receipt rules and read only by the inbound-email function; objects expire in 14 days. Access logs would need a second bucket holding copies of personal mail metadata for no operational gain.',
      },
    ]);
    if (!prod) {
      NagSuppressions.addStackSuppressions(this, [
        {
          id: 'AwsSolutions-L1',
          reason: 'The non-prod auto-delete helper Lambda is provided by CDK and pinned to its runtime.',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason: 'The non-prod auto-delete helper Lambda from CDK uses the AWS managed basic execution role.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      ]);
    }
  }
}
