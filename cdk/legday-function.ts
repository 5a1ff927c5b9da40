import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { cdkBundling, functionEntry, PROJECT_ROOT, RUNTIME_NODE_OPTIONS } from './bundling.ts';

export interface LegdayFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture'> {
  /** The handler file under functions/, e.g. "api". */
  name: string;
  stage: string;
  retain: boolean;
}

/**
 * Every function's defaults in one place: Node.js 22 on arm64, bundled as cdk/bundling.ts says,
 * JSON logs with a set retention. The caller's environment is merged over the defaults, never
 * replaced by them.
 */
export class LegdayFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: LegdayFunctionProps) {
    const { name, stage, retain, environment, bundling, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/legday-${stage}-${name}`,
      retention: stage === 'prod' ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      functionName: `legday-${stage}-${name}`,
      entry: `${PROJECT_ROOT}${functionEntry(name)}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(15),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...rest,
      environment: {
        NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: `legday-${name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'legday',
        ...environment,
      },
      bundling: { ...cdkBundling(), ...bundling },
    });
  }

  /**
   * Only the table actions this function's code performs, on the table and on the named indexes
   * it queries (not `index/*`, which `table.grant` would give).
   */
  bindTable(table: ITable, actions: readonly string[], indexes: readonly string[] = []): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn, ...indexes.map((i) => `${table.tableArn}/index/${i}`)],
      }),
    );
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  bindTwilioSecret(secret: ISecret): this {
    secret.grantRead(this);
    this.addEnvironment('TWILIO_SECRET_ARN', secret.secretArn);
    return this;
  }
}
