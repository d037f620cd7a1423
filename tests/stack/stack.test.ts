import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/routes.ts';
import { TABLES, TABLE_KEYS } from '../../lib/tables.ts';
import { DEFAULT_CONFIG, ImpactPipelineStack } from '../../lib/stack.ts';
import { toCdkPattern } from '../../lib/constructs/event-routing.ts';

let template: Template;
let synthError: unknown;
const env = { account: '123456789012', region: 'eu-west-1' };

beforeAll(() => {
  // Synthesised once per file: bundling five functions with esbuild takes seconds.
  const app = new App();
  const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env, config: { ...DEFAULT_CONFIG, alarmEmail: 'ops@example.com', teamSubscriptions: [{ team: 'airport-ops', email: 'airport@example.com' }] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
});

const resources = (type: string) => Object.entries(template.findResources(type));
const functionNamed = (handler: string) => {
  const [logicalId] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith(handler[0].toUpperCase() + handler.slice(1)))!;
  return logicalId;
};
const policyOf = (handler: string) => {
  const fn = template.findResources('AWS::Lambda::Function')[functionNamed(handler)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const [, policy] = resources('AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))!;
  return policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
};
const actions = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('cdk-nag', () => {
  it('AwsSolutions and Serverless packs: zero unacknowledged findings', () => {
    expect(synthError).toBeUndefined();
  });

  it('the packs do run: an unencrypted queue without DLQ fails synthesis', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad', { env });
    new Queue(stack, 'Plain');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).toThrow();
  });
});

describe('resources', () => {
  it('every table of lib/tables.ts: on demand, point-in-time recovery, KMS, keys and stream as defined', () => {
    const tables = resources('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(TABLE_KEYS.length);
    for (const key of TABLE_KEYS) {
      const def = TABLES[key] as { logicalName: string; stream?: string; timeToLiveAttribute?: string };
      const [, table] = tables.find(([, t]) => t.Properties.TableName === `impact-${def.logicalName}`)!;
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
      expect(Boolean(table.Properties.StreamSpecification)).toBe(Boolean(def.stream));
      if (def.timeToLiveAttribute) expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
    }
  });

  it('functions: nodejs22.x on arm64, traced, JSON logs, ESM bundles', () => {
    const ours = ['ingest', 'assess', 'notify', 'remind', 'api'].map(functionNamed);
    const functions = resources('AWS::Lambda::Function').filter(([id]) => ours.includes(id));
    expect(functions).toHaveLength(5);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' } });
    }
  });

  it('the event store stream feeds assess: event inserts only, bisect, bounded retries, on-failure destination, partial batches', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionNamed('assess') },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 21600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['event'] } } } }) }] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionNamed('notify') }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('every route of lib/routes.ts is a rule with the same pattern, a retry policy and a DLQ', () => {
    const rules = resources('AWS::Events::Rule');
    for (const route of Object.values(ROUTES)) {
      const expected = toCdkPattern(route.pattern);
      const [, rule] = rules.find(([, r]) => r.Properties.Description === route.description)!;
      const pattern = rule.Properties.EventPattern;
      expect(pattern['detail-type']).toEqual(expected.detailType);
      if (expected.source) expect(pattern.source).toEqual(expected.source);
      expect(Boolean(rule.Properties.EventBusName)).toBe(route.bus === 'impact');
      expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    }
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 365 });
  });

  it('queue with DLQ and redrive; topics encrypted; team subscription filtered on team', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() }, KmsMasterKeyId: Match.anyValue() });
    for (const [, topic] of resources('AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'airport@example.com', FilterPolicy: { team: ['airport-ops'] } });
  });

  it('HTTP API behind a Cognito JWT authorizer; scheduler group; alarms and a dashboard', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    for (const [, route] of resources('AWS::ApiGatewayV2::Route')) expect(route.Properties.AuthorizationType).toBe('JWT');
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(resources('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(4 + 5 + 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('support console', () => {
  it('served from a private bucket through CloudFront with origin access control, HTTPS only, signed in through Cognito', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    for (const [, bucket] of resources('AWS::S3::Bucket')) expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['implicit'], CallbackURLs: [Match.anyValue()] });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});

describe('least privilege', () => {
  it('only notify can read contacts, publish to the topics and write the DLQ', () => {
    const contacts = resources('AWS::DynamoDB::GlobalTable').find(([, t]) => t.Properties.TableName === 'impact-contacts')![0];
    for (const handler of ['ingest', 'assess', 'remind', 'api']) {
      expect(JSON.stringify(policyOf(handler))).not.toContain(contacts);
      expect(actions(policyOf(handler))).not.toContain('sns:Publish');
    }
    expect(JSON.stringify(policyOf('notify'))).toContain(contacts);
    expect(actions(policyOf('notify'))).toContain('sns:Publish');
  });

  it('no wildcard actions; a wildcard resource only where the service demands it (X-Ray)', () => {
    for (const handler of ['ingest', 'assess', 'notify', 'remind', 'api']) {
      for (const statement of policyOf(handler)) {
        for (const action of Array.isArray(statement.Action) ? statement.Action : [statement.Action]) expect(action).not.toMatch(/^[a-z0-9-]+:\*$|^\*$/);
        if (statement.Resource === '*') expect(actions([statement]).every((a) => a.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('the api function cannot write any table', () => {
    expect(actions(policyOf('api')).filter((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });
});
