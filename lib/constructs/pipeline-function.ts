/**
 * One Lambda function of the pipeline: NodejsFunction with the project's bundling and runtime defaults,
 * and `bindTable`, the one way a function is given a table (its name in the environment, and a grant).
 */
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { ENV, METRICS_NAMESPACE } from '../environment.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const HANDLERS = ['ingest', 'assess', 'plan', 'notify', 'remind', 'api'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** Built-in delivery (lib/constructs/delivery.ts): absent with `impact:delivery` = `topic-only`. */
export const DELIVERY_HANDLERS = ['deliver-email', 'deliver-sms', 'deliver-push', 'receipts'] as const;
export type DeliveryHandlerName = (typeof DELIVERY_HANDLERS)[number];
export type AnyHandlerName = HandlerName | DeliveryHandlerName;

/**
 * Powertools' service name of a function: the `service` field of its logs and traces, and the
 * `service` dimension of every metric it emits (the dashboard asks for its metrics with it).
 */
export const serviceName = (handler: AnyHandlerName): string => `impact-${handler}`;

/** What a function may do with a table it is bound to. */
export type TableAccess = 'read' | 'write' | 'read-write';

/** A table as functions are given it: the table and the environment variable that carries its name. */
export interface TableBinding {
  readonly table: TableV2;
  /** Environment variable the handlers read the table's physical name from (lib/environment.ts). */
  readonly env: string;
  /** Whether it has secondary indexes (grants then cover `<table>/index/*`). */
  readonly indexed: boolean;
}

export interface PipelineFunctionProps {
  /** Which handler of functions/handlers/ it runs. */
  readonly handler: AnyHandlerName;
  readonly description: string;
  /** Environment besides Powertools' settings and the tables given through `bindTable`. */
  readonly environment: Record<string, string>;
  /** MB; 512 when not given. */
  readonly memorySize?: number;
  /** 30 s when not given. */
  readonly timeout?: Duration;
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly key: IKey;
  /** Invoked asynchronously (EventBridge): gets `deadLetterQueue`; synchronous functions get their failures elsewhere. */
  readonly asynchronous?: boolean;
  readonly deadLetterQueue?: IQueue;
  /**
   * For functions that render customer notices: this folder of templates (checked by the stack) is
   * copied next to the bundle as `templates/`, and IMPACT_TEMPLATES_DIR points the function at it.
   */
  readonly templatesDir?: string;
}

/** Where a bundle's templates are in the Lambda (its code is unpacked in /var/task). */
export const BUNDLED_TEMPLATES_DIR = '/var/task/templates';

const quoted = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

export const retentionFor = (days: number): RetentionDays =>
  Object.values(RetentionDays)
    .filter((d): d is RetentionDays => typeof d === 'number' && d >= days)
    .sort((a, b) => a - b)[0] ?? RetentionDays.ONE_YEAR;

/** Bundling hooks that copy a folder next to the bundled code (local esbuild or Docker alike: plain shell). */
const shipFolder = (from: string, as: string): ICommandHooks => ({
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => [`cp -R ${quoted(from)} ${quoted(`${outputDir}/${as}`)}`],
});

export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly handler: AnyHandlerName;
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.handler = props.handler;
    this.serviceName = serviceName(props.handler);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.key });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${ROOT}functions/handlers/${props.handler}.ts`,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.serviceName]: this.serviceName,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        ...props.environment,
        ...(props.templatesDir ? { [ENV.templatesDir]: BUNDLED_TEMPLATES_DIR } : {}),
      },
      bundling: {
        ...(props.templatesDir ? { commandHooks: shipFolder(props.templatesDir, 'templates') } : {}),
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); ESM bundles need it defined.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    const pinned = 'Pinned to nodejs22.x on purpose: the project runs and tests on Node 22 (DESIGN section 9).';
    Validations.of(this.fn).acknowledge({ id: 'AwsSolutions-L1', reason: pinned });
    Validations.of(this.fn).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: pinned });
    if (!props.asynchronous) {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously (stream/queue mapping or API): failures go to the mapping on-failure destination or the queue redrive, not a function DLQ.',
      });
    }
    Validations.of(this.fn.role!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The basic execution policy only lets the function write its own CloudWatch Logs.',
    });
    const policy = this.fn.role!.node.tryFindChild('DefaultPolicy');
    if (policy) {
      for (const [id, reason] of [
        ['AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only accept "*" as resource.'],
        ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Generated by key.grantEncryptDecrypt for the one customer-managed key of the stack.'],
        ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'Generated by key.grantEncryptDecrypt for the one customer-managed key of the stack.'],
      ] as const) {
        Validations.of(policy).acknowledge({ id, reason });
      }
    }
  }

  /** Gives the function a table: its name in the binding's environment variable, and read access unless more is asked for. */
  bindTable(binding: TableBinding, access: TableAccess = 'read'): this {
    const { table } = binding;
    this.fn.addEnvironment(binding.env, table.tableName);
    if (access === 'read') table.grantReadData(this.fn);
    else if (access === 'write') table.grantWriteData(this.fn);
    else table.grantReadWriteData(this.fn);
    if (binding.indexed) {
      // The finding names the table by its logical id: derived here, so a renamed construct cannot leave a stale one.
      const tableId = Stack.of(this).getLogicalId(table.node.defaultChild as CfnElement);
      Validations.of(this.fn.role!.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: `Queries of ${binding.env} use its secondary indexes; the grant covers that table's indexes only.`,
      });
    }
    return this;
  }
}
