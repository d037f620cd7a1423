import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/routes.ts';
import { TABLES, TABLE_KEYS } from '../../lib/tables.ts';
import { DEFAULT_CONFIG, ImpactPipelineStack } from '../../lib/stack.ts';
import { toCdkPattern } from '../../lib/constructs/event-routing.ts';
import { API_THROTTLE } from '../../lib/constructs/support-api.ts';
import { DELIVERY_HANDLERS, HANDLERS, serviceName } from '../../lib/constructs/pipeline-function.ts';
import { ROLES } from '../../functions/handlers/api/access.ts';
import { API_ROUTES, routeKey } from '../../functions/handlers/api/routes.ts';
import { metricsOf, tablesOf } from './handler-sources.ts';

let template: Template;

/** Logical ids of the tables as first deployed: never to change. */
const TABLE_IDS: Record<string, string> = {
  events: 'Storageevents533A791D',
  graph: 'Storagegraph11FFF980',
  impacts: 'Storageimpacts1F040B78',
  contacts: 'Storagecontacts6E3138F0',
};
const STATEFUL_IDS: Record<string, string> = {
  Key961B73FD: 'AWS::KMS::Key',
  EventsBus45DE4339: 'AWS::Events::EventBus',
  EventsArchive5A2DBDD8: 'AWS::Events::Archive',
  ReminderGroup: 'AWS::Scheduler::ScheduleGroup',
  MessagingNoticeJobs8372FCF8: 'AWS::SQS::Queue',
  MessagingNoticeJobsDlq4EBBBDB3: 'AWS::SQS::Queue',
  EventsTargetDlq707B4DD7: 'AWS::SQS::Queue',
  AsyncFailuresBA743569: 'AWS::SQS::Queue',
  MessagingSubscriptionDlqB322A026: 'AWS::SQS::Queue',
  MessagingCustomerNoticesC46EA664: 'AWS::SNS::Topic',
  MessagingSupportBriefings7AB1385C: 'AWS::SNS::Topic',
  SupportUsers38466E07: 'AWS::Cognito::UserPool',
};
let synthError: unknown;
const env = { account: '123456789012', region: 'eu-west-1' };
/** Built-in delivery on every channel: a sender for e-mail and SMS (push needs none). */
const EVERY_CHANNEL = { emailFrom: 'notices@example.org', smsOriginationIdentity: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef' };

beforeAll(() => {
  // Synthesised once per file: bundling five functions with esbuild takes seconds.
  const app = new App();
  const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env, config: { ...DEFAULT_CONFIG, ...EVERY_CHANNEL, alarmEmail: 'ops@example.com', teamSubscriptions: [{ team: 'airport-ops', email: 'airport@example.com' }] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
});

const resources = (type: string) => Object.entries(template.findResources(type));
/** A handler's function, by the service name its environment carries (`impact-<handler>`). */
const functionNamed = (handler: string) => {
  const [logicalId] = resources('AWS::Lambda::Function').find(([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === serviceName(handler as never))!;
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

  it('scheduler group; alarms on every DLQ, every function and the stream; a dashboard', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(resources('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(4 + 5 + 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('support API', () => {
  it('one HTTP API route per entry of the route table, each behind the Cognito JWT authorizer', () => {
    const routes = resources('AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(API_ROUTES.map(routeKey).sort());
    const [authorizerId] = resources('AWS::ApiGatewayV2::Authorizer').find(([, a]) => a.Properties.AuthorizerType === 'JWT')!;
    for (const [, route] of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
  });

  it('a Cognito group per role of the route table', () => {
    const groups = resources('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName).sort();
    expect(groups).toEqual([...ROLES].sort());
    expect(groups).toEqual(['admin', 'change-manager', 'support']);
  });

  it('throttled, access-logged, and callable from the console\'s origin only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: API_THROTTLE.burstLimit, ThrottlingRateLimit: API_THROTTLE.rateLimit },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    expect(API_THROTTLE).toEqual({ rateLimit: 25, burstLimit: 50 });
    const [[, api]] = resources('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toMatchObject({ AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization', 'content-type'] });
    expect(JSON.stringify(api.Properties.CorsConfiguration.AllowOrigins)).toContain('ConsoleCdn');
  });
});

describe('functions and their environment', () => {
  const COMMON = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'EVENT_BUS_NAME'];
  const PACING = ['DELIVERY_PER_SECOND', 'DELIVERY_WORKERS', 'DELIVERY_LEASE_MS'];
  const SCHEDULING = ['EVENT_BUS_ARN', 'SCHEDULER_GROUP_NAME', 'SCHEDULER_ROLE_ARN', 'REMINDER_OFFSETS_HOURS', 'INCIDENT_CADENCE_MINUTES', 'NOTICE_QUEUE_URL'];
  const EXPECTED: Record<string, string[]> = {
    ingest: [...COMMON, 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    assess: [...COMMON, ...SCHEDULING, 'SNS_MESSAGES_PER_SECOND', 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    notify: [...COMMON, 'SNS_MESSAGES_PER_SECOND', 'NOTICE_QUEUE_URL', 'NOTICE_DLQ_URL', 'CUSTOMER_NOTICES_TOPIC_ARN', 'SUPPORT_BRIEFINGS_TOPIC_ARN', 'IMPACTS_TABLE', 'CONTACTS_TABLE', 'GRAPH_TABLE'],
    remind: [...COMMON, ...SCHEDULING, 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    api: [...COMMON, 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    'deliver-email': [...COMMON, ...PACING, 'EMAIL_FROM', 'EMAIL_CONFIGURATION_SET', 'IMPACTS_TABLE'],
    'deliver-sms': [...COMMON, ...PACING, 'SMS_ORIGINATION_IDENTITY', 'SMS_CONFIGURATION_SET', 'IMPACTS_TABLE'],
    'deliver-push': [...COMMON, ...PACING, 'IMPACTS_TABLE'],
    receipts: [...COMMON, 'NOTICE_QUEUE_URL', 'IMPACTS_TABLE', 'GRAPH_TABLE', 'CONTACTS_TABLE'],
  };
  const envOf = (handler: string) => template.findResources('AWS::Lambda::Function')[functionNamed(handler)].Properties.Environment.Variables as Record<string, unknown>;
  const TABLE_ENV: Record<string, string> = { events: 'EVENTS_TABLE', graph: 'GRAPH_TABLE', impacts: 'IMPACTS_TABLE', contacts: 'CONTACTS_TABLE' };

  it('each function gets exactly the variables it uses, its service name and the tables by reference', () => {
    for (const handler of [...HANDLERS, ...DELIVERY_HANDLERS]) {
      const env = envOf(handler);
      expect(Object.keys(env).sort(), handler).toEqual([...EXPECTED[handler]].sort());
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(serviceName(handler));
      for (const [table, name] of Object.entries(TABLE_ENV)) if (name in env) expect(env[name], `${handler} ${name}`).toEqual({ Ref: TABLE_IDS[table] });
    }
    expect(envOf('assess')).toMatchObject({ REMINDER_OFFSETS_HOURS: '24,1', INCIDENT_CADENCE_MINUTES: '60', SNS_MESSAGES_PER_SECOND: '300', SCHEDULER_GROUP_NAME: 'impact-reminders' });
  });

  it('every table a handler\'s code reaches is in its environment and granted; no table it does not reach is', () => {
    for (const handler of [...HANDLERS, ...DELIVERY_HANDLERS]) {
      const env = envOf(handler);
      const given = Object.entries(TABLE_ENV).filter(([, name]) => name in env).map(([table]) => table).sort();
      expect(given, handler).toEqual(tablesOf(handler));
      const granted = Object.entries(TABLE_IDS).filter(([, id]) => JSON.stringify(policyOf(handler)).includes(`"${id}"`)).map(([table]) => table).sort();
      expect(granted, handler).toEqual(given);
    }
  });
});

describe('observability', () => {
  /** The dashboard body with its tokens written as `ref:<logical id>`, parsed. */
  const dashboardMetrics = () => {
    const [[, dashboard]] = resources('AWS::CloudWatch::Dashboard');
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as (string | { Ref: string })[];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `ref:${p.Ref}`)).join(''));
    return (body.widgets as { properties: { metrics?: unknown[][] } }[]).flatMap((w) => w.properties.metrics ?? []).map((row) => {
      const [namespace, name, ...rest] = row as string[];
      const dims = rest.slice(0, -1);
      return { namespace, name, dimensions: Object.fromEntries(dims.flatMap((d, i) => (i % 2 === 0 ? [[d, dims[i + 1]]] : []))) };
    });
  };

  it('every metric a handler emits is on the dashboard with the dimensions it is emitted with, and nothing else is', () => {
    const expected = [...HANDLERS, ...DELIVERY_HANDLERS].flatMap((handler) =>
      metricsOf(handler).map((m) => ({
        namespace: 'ImpactPipeline',
        name: m.name,
        dimensions: Object.fromEntries(m.dimensions.map((d) => [d, d === 'service' ? serviceName(handler) : `ref:${functionNamed(handler)}`])),
      })),
    );
    const key = (m: { name: string; dimensions: Record<string, string> }) => `${m.name} ${JSON.stringify(Object.entries(m.dimensions).sort())}`;
    const onDashboard = dashboardMetrics().filter((m) => m.namespace === 'ImpactPipeline');
    expect(expected.length).toBeGreaterThan(10);
    expect(onDashboard.map(key).sort()).toEqual(expected.map(key).sort());
    expect(onDashboard.every((m) => m.dimensions.service)).toBe(true);
  });
});

describe('stateful resources keep their logical ids (a new id would replace them: data, schedules, subscribers lost)', () => {
  it('tables', () => {
    for (const key of TABLE_KEYS) expect(template.findResources('AWS::DynamoDB::GlobalTable')[TABLE_IDS[key]]?.Properties.TableName, key).toBe(`impact-${TABLES[key].logicalName}`);
    expect(resources('AWS::DynamoDB::GlobalTable').map(([id]) => id).every((id) => Object.values(TABLE_IDS).includes(id))).toBe(true);
  });

  it('key, bus, archive, schedule group, queues, topics, user pool', () => {
    for (const [id, type] of Object.entries(STATEFUL_IDS)) expect(template.toJSON().Resources[id]?.Type, id).toBe(type);
  });
});

describe('support console', () => {
  it('served from a private bucket through CloudFront with origin access control, HTTPS only, security headers, signed in through Cognito', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    for (const [, bucket] of resources('AWS::S3::Bucket')) expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['implicit'], CallbackURLs: [Match.anyValue()] });
    const [[, policy]] = resources('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("script-src 'self';");
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain('connect-src \'self\' https://*.execute-api.eu-west-1.amazonaws.com');
    expect(headers).toMatchObject({ ContentTypeOptions: { Override: true }, FrameOptions: { FrameOption: 'DENY' } });
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('SecurityHeaders') } }) }) });
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

describe('built-in delivery (lib/constructs/delivery.ts)', () => {
  const policyText = (handler: string) => JSON.stringify(policyOf(handler));
  const TABLE = (name: string) => `"${TABLE_IDS[name]}"`;

  it('one SQS subscription per channel on customer-notices: raw messages, filtered on channel, with a DLQ', () => {
    const subscriptions = resources('AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'sqs');
    const [[topicId]] = resources('AWS::SNS::Topic').filter(([id]) => id.startsWith('MessagingCustomerNotices'));
    expect(subscriptions.map(([, s]) => s.Properties.FilterPolicy.channel[0]).sort()).toEqual(['email', 'push', 'sms']);
    for (const [, s] of subscriptions) {
      expect(s.Properties).toMatchObject({ RawMessageDelivery: true, TopicArn: { Ref: topicId }, RedrivePolicy: { deadLetterTargetArn: expect.anything() } });
    }
  });

  it('a deliver function per channel behind its queue: partial batch failures, concurrency and batch from the channel\'s quota, the visibility six times the timeout', () => {
    for (const [handler, perSecond] of [['deliver-email', '14'], ['deliver-sms', '1'], ['deliver-push', '100']] as const) {
      const id = functionNamed(handler);
      const fn = template.findResources('AWS::Lambda::Function')[id];
      expect(fn.Properties.Environment.Variables.DELIVERY_PER_SECOND).toBe(perSecond);
      const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === id)!;
      expect(mapping.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: Number(fn.Properties.Environment.Variables.DELIVERY_WORKERS) } });
      const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0];
      const queue = template.toJSON().Resources[queueId];
      expect(queue.Properties.VisibilityTimeout).toBe(fn.Properties.Timeout * 6);
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(10);
    }
  });

  it('the SES configuration set publishes delivery, bounce, complaint, delay and reject events to the default bus', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, EventBridgeDestination: { EventBusArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':events:eu-west-1:123456789012:event-bus/default'])] }) }, MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'deliveryDelay', 'reject'] },
    });
  });

  it('the SMS configuration set publishes every text event to an SNS topic that the receipts function reads', () => {
    const [[, set]] = resources('AWS::SMSVOICE::ConfigurationSet');
    const [destination] = set.Properties.EventDestinations;
    expect(destination).toMatchObject({ Enabled: true, MatchingEventTypes: ['TEXT_ALL'] });
    const topicId = destination.SnsDestination.TopicArn.Ref;
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topicId }, Endpoint: { 'Fn::GetAtt': [functionNamed('receipts'), 'Arn'] }, RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sns:Publish' })]) } });
  });

  it('each deliver function can send on its own channel only', () => {
    const email = actions(policyOf('deliver-email'));
    const sms = actions(policyOf('deliver-sms'));
    const push = actions(policyOf('deliver-push'));
    expect(email).toContain('ses:SendEmail');
    expect(sms).toContain('sms-voice:SendTextMessage');
    expect(push).toContain('sns:Publish');
    expect(email.filter((a) => /^(sms-voice|sns):/.test(a))).toEqual([]);
    expect(sms.filter((a) => /^(ses|sns):/.test(a))).toEqual([]);
    expect(push.filter((a) => /^(ses|sms-voice):/.test(a))).toEqual([]);
    // Push may publish to platform endpoints only, never to a topic.
    const publish = policyOf('deliver-push').find((s) => actions([s]).includes('sns:Publish'))!;
    expect(JSON.stringify(publish.Resource)).toMatch(/:endpoint\/\*"/);
    expect(JSON.stringify(publish.Resource)).not.toContain('Topic');
    // E-mail from the configured sender (or its domain) through our configuration set; SMS from the configured identity.
    const send = policyOf('deliver-email').find((s) => actions([s]).includes('ses:SendEmail'))!;
    expect(JSON.stringify(send.Resource)).toContain('identity/notices@example.org');
    expect(JSON.stringify(send.Resource)).toContain('configuration-set/');
    expect(policyText('deliver-sms')).toContain('pool/pool-0123456789abcdef0123456789abcdef');
  });

  it('nothing new can read the contacts table: the receipts function may only set a contact\'s mark', () => {
    for (const handler of ['deliver-email', 'deliver-sms', 'deliver-push']) expect(policyText(handler)).not.toContain(TABLE('contacts'));
    const onContacts = policyOf('receipts').filter((s) => JSON.stringify(s.Resource).includes(TABLE('contacts')));
    expect(onContacts).toHaveLength(1);
    expect(onContacts[0]).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['customerId', 'mark_email', 'mark_sms', 'mark_push'] }, StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } },
    });
  });

  it('a DLQ alarm per channel queue and an error alarm per delivery function', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmDescription));
    for (const channel of ['email', 'sms', 'push']) expect(alarms).toContain(`${channel}DeliveryDlq has messages: something failed every retry`);
    for (const handler of DELIVERY_HANDLERS) expect(alarms).toContain(`${handler} function errors`);
  });
});

describe('delivery configuration', () => {
  /** A stack synthesised without bundling the functions (only its shape is looked at). */
  const shapeOf = (config: Partial<typeof DEFAULT_CONFIG>) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return Template.fromStack(new ImpactPipelineStack(app, 'Shape', { env, config: { ...DEFAULT_CONFIG, ...config } }));
  };

  it('topic-only keeps notices on the topic: no subscriptions, no deliver or receipts functions, no delivery rules', () => {
    const shape = shapeOf({ ...EVERY_CHANNEL, delivery: 'topic-only' });
    expect(Object.values(shape.findResources('AWS::SNS::Subscription')).filter((s) => s.Properties.Protocol !== 'email')).toEqual([]);
    const services = Object.values(shape.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME).filter(Boolean);
    expect(services.sort()).toEqual(HANDLERS.map((h) => serviceName(h)).sort());
    const rules = Object.values(shape.findResources('AWS::Events::Rule')).map((r) => r.Properties.Description);
    for (const route of Object.values(ROUTES)) expect(rules.includes(route.description), route.description).toBe(!('delivery' in route));
    shape.resourceCountIs('AWS::SES::ConfigurationSet', 0);
  });

  it('without a sender for e-mail and SMS only push is delivered (the others stay on the topic)', () => {
    const shape = shapeOf({});
    const filters = Object.values(shape.findResources('AWS::SNS::Subscription')).filter((s) => s.Properties.Protocol === 'sqs').map((s) => s.Properties.FilterPolicy.channel[0]);
    expect(filters).toEqual(['push']);
    shape.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    shape.resourceCountIs('AWS::SMSVOICE::ConfigurationSet', 0);
  });

  it('a bad value names the key, the value and the fix', () => {
    expect(() => shapeOf({ delivery: 'carrier-pigeon' as never })).toThrow('impact:delivery is "carrier-pigeon": use built-in or topic-only');
    expect(() => shapeOf({ emailFrom: 'notices' })).toThrow(/impact:emailFrom is "notices": give the verified sender address/);
    expect(() => shapeOf({ smsOriginationIdentity: '+15555550100' })).toThrow(/impact:smsOriginationIdentity is "\+15555550100": give the ARN of a phone number, pool or sender ID/);
    expect(() => shapeOf({ smsPartsPerSecond: 0 })).toThrow('impact:smsPartsPerSecond is 0: give a number above 0 (per second)');
  });
});
