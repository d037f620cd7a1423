import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLAIM_LEASE_MS, LEASE_MARGIN_MS } from '../../functions/domain/notices/jobs.ts';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/routes.ts';
import { TABLES, TABLE_KEYS } from '../../lib/tables.ts';
import { DEFAULT_CONFIG, ImpactPipelineStack, StackConfigError, configFromContext, type PipelineConfig } from '../../lib/stack.ts';
import { toCdkPattern } from '../../lib/constructs/event-routing.ts';
import { API_THROTTLE } from '../../lib/constructs/support-api.ts';
import { DELIVERY_HANDLERS, HANDLERS, serviceName } from '../../lib/constructs/pipeline-function.ts';
import { ROLES } from '../../functions/handlers/api/access.ts';
import { HTTP_INTAKE_SOURCES } from '../../functions/domain/intake/index.ts';
import { API_ROUTES, routeKey } from '../../functions/handlers/api/routes.ts';
import { metricsOf, rendersNotices, tablesOf } from './handler-sources.ts';

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
let app: App;
const env = { account: '123456789012', region: 'eu-west-1' };
const TEAMS_CHANNEL = {
  teamId: '5f8a3c2e-1b4d-4e6f-9a0b-123456789abc',
  channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  tenantId: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
};
/** Built-in delivery on every channel: a sender for e-mail and SMS (push needs none). */
const EVERY_CHANNEL = {
  emailFrom: 'notices@example.org',
  smsOriginationIdentity: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef',
};
/** Every kind of team subscription, an intake configuration, every delivery channel. */
const CONFIG = {
  ...DEFAULT_CONFIG,
  ...EVERY_CHANNEL,
  alarmEmail: 'ops@example.com',
  teamSubscriptions: [
    { team: 'airport-ops', email: 'airport@example.com' },
    { team: 'airport-ops', slack: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' } },
    { team: 'digital', teams: TEAMS_CHANNEL },
    { team: 'payments', webhook: 'https://hooks.example.com/impact/payments' },
  ],
  intake: { pagerduty: { severity: { P1: 'sev1', default: 'sev3' } }, 'aws-health': { effect: 'outage' } },
} satisfies typeof DEFAULT_CONFIG;

beforeAll(() => {
  // Synthesised once per file: bundling five functions with esbuild takes seconds.
  app = new App();
  const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env, config: CONFIG });
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
  const [logicalId] = resources('AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === serviceName(handler as never),
  )!;
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
    const ours = ['ingest', 'assess', 'plan', 'notify', 'remind', 'api'].map(functionNamed);
    const functions = resources('AWS::Lambda::Function').filter(([id]) => ours.includes(id));
    expect(functions).toHaveLength(6);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
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
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionNamed('notify') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('notify cannot outlive the lease of its ledger claims, and SQS hides a job longer than notify can run', () => {
    const [, notify] = resources('AWS::Lambda::Function').find(([id]) => id === functionNamed('notify'))!;
    expect(notify.Properties.Timeout * 1000 + LEASE_MARGIN_MS).toBeLessThanOrEqual(CLAIM_LEASE_MS);
    const jobs = resources('AWS::SQS::Queue').find(([, q]) => q.Properties.RedrivePolicy?.maxReceiveCount === 5)!;
    expect(jobs[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * notify.Properties.Timeout);
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
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      KmsMasterKeyId: Match.anyValue(),
    });
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
  it("one HTTP API route per entry of the route table, each behind the Cognito JWT authorizer but the tools' intake route", () => {
    const routes = resources('AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(API_ROUTES.map(routeKey).sort());
    const [authorizerId] = resources('AWS::ApiGatewayV2::Authorizer').find(([, a]) => a.Properties.AuthorizerType === 'JWT')!;
    const signedByTool = new Set(API_ROUTES.filter((r) => r.auth === 'intake-signature').map(routeKey));
    expect([...signedByTool]).toEqual(['POST /intake/{source}']);
    for (const [, route] of routes) {
      if (signedByTool.has(route.Properties.RouteKey)) {
        expect(route.Properties.AuthorizationType).toBe('NONE');
        expect(route.Properties.AuthorizerId).toBeUndefined();
      } else expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it('a Cognito group per role of the route table', () => {
    const groups = resources('AWS::Cognito::UserPoolGroup')
      .map(([, g]) => g.Properties.GroupName)
      .sort();
    expect(groups).toEqual([...ROLES].sort());
    expect(groups).toEqual(['admin', 'change-manager', 'support']);
  });

  it("throttled, access-logged, and callable from the console's origin only", () => {
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
  const SCHEDULING = ['EVENT_BUS_ARN', 'SCHEDULER_GROUP_NAME', 'SCHEDULER_ROLE_ARN', 'REMINDER_OFFSETS_HOURS', 'INCIDENT_CADENCE_MINUTES', 'PLAN_QUEUE_URL'];
  const EXPECTED: Record<string, string[]> = {
    ingest: [...COMMON, 'INTAKE_CONFIG', 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    assess: [...COMMON, ...SCHEDULING, 'APPROVAL_POLICY', 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    plan: [...COMMON, 'NOTICE_QUEUE_URL', 'GRAPH_TABLE', 'IMPACTS_TABLE'],
    notify: [
      ...COMMON,
      'SNS_MESSAGES_PER_SECOND',
      'NOTIFY_CONCURRENCY',
      'MERGE_WINDOW_MINUTES',
      'NOTICE_QUEUE_URL',
      'NOTICE_DLQ_URL',
      'CUSTOMER_NOTICES_TOPIC_ARN',
      'SUPPORT_BRIEFINGS_TOPIC_ARN',
      'CHAT_CHANNELS',
      'CONSOLE_URL',
      'IMPACTS_TABLE',
      'CONTACTS_TABLE',
      'GRAPH_TABLE',
      'IMPACT_TEMPLATES_DIR',
    ],
    remind: [...COMMON, ...SCHEDULING, 'APPROVAL_POLICY', 'IMPACTS_TABLE'],
    api: [...COMMON, 'INTAKE_CONFIG', 'INTAKE_SECRETS', 'EVENTS_TABLE', 'GRAPH_TABLE', 'IMPACTS_TABLE', 'IMPACT_TEMPLATES_DIR'],
    'deliver-email': [...COMMON, ...PACING, 'EMAIL_FROM', 'EMAIL_CONFIGURATION_SET', 'IMPACTS_TABLE'],
    'deliver-sms': [...COMMON, ...PACING, 'SMS_ORIGINATION_IDENTITY', 'SMS_CONFIGURATION_SET', 'IMPACTS_TABLE'],
    'deliver-push': [...COMMON, ...PACING, 'IMPACTS_TABLE'],
    receipts: [...COMMON, 'NOTICE_QUEUE_URL', 'IMPACTS_TABLE', 'GRAPH_TABLE', 'CONTACTS_TABLE'],
  };
  const envOf = (handler: string) =>
    template.findResources('AWS::Lambda::Function')[functionNamed(handler)].Properties.Environment.Variables as Record<string, unknown>;
  const TABLE_ENV: Record<string, string> = { events: 'EVENTS_TABLE', graph: 'GRAPH_TABLE', impacts: 'IMPACTS_TABLE', contacts: 'CONTACTS_TABLE' };

  it('each function gets exactly the variables it uses, its service name and the tables by reference', () => {
    for (const handler of [...HANDLERS, ...DELIVERY_HANDLERS]) {
      const env = envOf(handler);
      expect(Object.keys(env).sort(), handler).toEqual([...EXPECTED[handler]].sort());
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(serviceName(handler));
      for (const [table, name] of Object.entries(TABLE_ENV)) if (name in env) expect(env[name], `${handler} ${name}`).toEqual({ Ref: TABLE_IDS[table] });
    }
    expect(envOf('assess')).toMatchObject({ REMINDER_OFFSETS_HOURS: '24,1', INCIDENT_CADENCE_MINUTES: '60', SCHEDULER_GROUP_NAME: 'impact-reminders' });
    // The defaults: nothing waits for approval, news within 5 minutes is merged.
    const everythingSent = JSON.stringify({ sev1: 'send', sev2: 'send', sev3: 'send', sev4: 'send', change: 'send' });
    expect([envOf('assess').APPROVAL_POLICY, envOf('remind').APPROVAL_POLICY, envOf('notify').MERGE_WINDOW_MINUTES]).toEqual([
      everythingSent,
      everythingSent,
      '5',
    ]);
  });

  it("notify is sized to the region's SNS quota: its workers together pace within 80% of it (eu-west-1: 9,000/s)", () => {
    const env = envOf('notify');
    const budget = Number(env.SNS_MESSAGES_PER_SECOND);
    const workers = Number(env.NOTIFY_CONCURRENCY);
    expect(budget).toBe(7_200);
    // Each worker paces at budget / workers (notify.ts), so all of them at once stay within the budget.
    expect(workers * (budget / workers)).toBeLessThanOrEqual(9_000 * 0.8);
    expect(workers).toBeGreaterThanOrEqual(Math.ceil(budget / 330));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionNamed('notify') },
      ScalingConfig: { MaximumConcurrency: workers },
    });
  });

  it("planning jobs: a FIFO queue (a shard's jobs in order) with a FIFO DLQ, one job per plan invocation, visibility six times its timeout", () => {
    const plan = template.findResources('AWS::Lambda::Function')[functionNamed('plan')];
    const [, queue] = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('MessagingPlanJobs') && !id.includes('Dlq'))!;
    expect(queue.Properties).toMatchObject({ FifoQueue: true, RedrivePolicy: { maxReceiveCount: 5 } });
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * plan.Properties.Timeout);
    const [, dlq] = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('MessagingPlanJobsDlq'))!;
    expect(dlq.Properties.FifoQueue).toBe(true);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionNamed('plan') },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the functions whose code renders notices ship the templates next to their bundle and are pointed at them; the others do not', () => {
    const rendering = HANDLERS.filter(rendersNotices);
    expect(rendering.sort()).toEqual(['api', 'notify']);
    const shipped = readdirSync(new URL('../../templates/', import.meta.url), { recursive: true, withFileTypes: true }).filter(
      (e) => e.isFile() && e.parentPath !== new URL('../../templates', import.meta.url).pathname,
    ).length;
    expect(shipped).toBeGreaterThan(50);
    for (const handler of HANDLERS) {
      const fn = template.findResources('AWS::Lambda::Function')[functionNamed(handler)];
      // The bundle is staged in the cloud assembly as asset.<hash>, the S3 key's name without .zip.
      const bundle = join(app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      const templates = join(bundle, 'templates');
      expect(existsSync(templates), `${handler} bundle has templates/`).toBe(rendering.includes(handler));
      expect(envOf(handler).IMPACT_TEMPLATES_DIR, handler).toBe(rendering.includes(handler) ? '/var/task/templates' : undefined);
      if (rendering.includes(handler)) {
        expect(readdirSync(templates, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length, handler).toBe(shipped);
        expect(existsSync(join(templates, 'en/change-notice.md'))).toBe(true);
      }
    }
  });

  it("every table a handler's code reaches is in its environment and granted; no table it does not reach is", () => {
    for (const handler of [...HANDLERS, ...DELIVERY_HANDLERS]) {
      const env = envOf(handler);
      const given = Object.entries(TABLE_ENV)
        .filter(([, name]) => name in env)
        .map(([table]) => table)
        .sort();
      expect(given, handler).toEqual(tablesOf(handler));
      const granted = Object.entries(TABLE_IDS)
        .filter(([, id]) => JSON.stringify(policyOf(handler)).includes(`"${id}"`))
        .map(([table]) => table)
        .sort();
      expect(granted, handler).toEqual(given);
    }
  });
});

describe('configuration checked at synth', () => {
  // Bundling is skipped in these apps: the configuration is checked before any function is built.
  const synthWith = (config: Partial<PipelineConfig>) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env, config: { ...DEFAULT_CONFIG, ...config } });
    return Template.fromStack(stack);
  };
  const variables = (t: Template, handler: string) => {
    const [, fn] = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(handler[0].toUpperCase() + handler.slice(1)))!;
    return fn.Properties.Environment.Variables as Record<string, string>;
  };

  it('impact:approvalPolicy (an object, or its JSON text from -c) reaches assess and remind complete; impact:mergeWindowMinutes reaches notify', () => {
    const t = synthWith({ approvalPolicy: '{"sev3":"draft","sev4":"draft","change":"draft"}', mergeWindowMinutes: 10 });
    const policy = { sev1: 'send', sev2: 'send', sev3: 'draft', sev4: 'draft', change: 'draft' };
    expect(JSON.parse(variables(t, 'assess').APPROVAL_POLICY)).toEqual(policy);
    expect(JSON.parse(variables(t, 'remind').APPROVAL_POLICY)).toEqual(policy);
    expect(variables(t, 'notify').MERGE_WINDOW_MINUTES).toBe('10');
    expect(JSON.parse(variables(synthWith({ approvalPolicy: { change: 'draft' } }), 'assess').APPROVAL_POLICY)).toMatchObject({
      change: 'draft',
      sev1: 'send',
    });
  });

  it('bad configuration and broken templates fail the synth with every problem at once, each naming the key and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-stack-templates-'));
    cpSync(new URL('../../templates/', import.meta.url), dir, { recursive: true });
    writeFileSync(join(dir, 'en/reminder.md'), '---\nsubject: "{{titel}}"\nsms: "x"\npush: "y"\n---\nBody\n');
    writeFileSync(join(dir, 'de/change-notice.md'), '---\nsubject: "Wartung"\nsms: "{{wann}}"\npush: "y"\n---\nText\n');
    let error: unknown;
    try {
      synthWith({ approvalPolicy: '{"sev5":"draft","change":"later"}', mergeWindowMinutes: -1, templatesDir: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    const message = (error as Error).message;
    expect(message).toContain('impact:approvalPolicy: sev5: not a policy key; use sev1, sev2, sev3, sev4, change');
    expect(message).toMatch(/impact:approvalPolicy: change: .*"later".*use "send" or "draft"/);
    expect(message).toContain('impact:mergeWindowMinutes: -1 is not a whole number of minutes from 0 to 1440');
    expect(message).toContain(`${dir}/en/reminder.md: subject: unknown placeholder {{titel}}`);
    expect(message).toContain(`${dir}/de/change-notice.md: sms: unknown placeholder {{wann}}`);
    expect((error as StackConfigError).problems).toHaveLength(5);
    expect(() => synthWith({ templatesDir: join(dir, 'missing') })).toThrow(/impact:templatesDir: cannot read the templates folder .*missing: ENOENT/);
  });
});

describe('observability', () => {
  /** The dashboard body with its tokens written as `ref:<logical id>`, parsed. */
  const dashboardMetrics = () => {
    const [[, dashboard]] = resources('AWS::CloudWatch::Dashboard');
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as (string | { Ref: string })[];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `ref:${p.Ref}`)).join(''));
    return (body.widgets as { properties: { metrics?: unknown[][] } }[])
      .flatMap((w) => w.properties.metrics ?? [])
      .map((row) => {
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
    for (const key of TABLE_KEYS)
      expect(template.findResources('AWS::DynamoDB::GlobalTable')[TABLE_IDS[key]]?.Properties.TableName, key).toBe(`impact-${TABLES[key].logicalName}`);
    expect(
      resources('AWS::DynamoDB::GlobalTable')
        .map(([id]) => id)
        .every((id) => Object.values(TABLE_IDS).includes(id)),
    ).toBe(true);
  });

  it('key, bus, archive, schedule group, queues, topics, user pool', () => {
    for (const [id, type] of Object.entries(STATEFUL_IDS)) expect(template.toJSON().Resources[id]?.Type, id).toBe(type);
  });
});

describe('support console', () => {
  it('served from a private bucket through CloudFront with origin access control, HTTPS only, security headers, signed in through Cognito', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    for (const [, bucket] of resources('AWS::S3::Bucket'))
      expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['implicit'], CallbackURLs: [Match.anyValue()] });
    const [[, policy]] = resources('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("script-src 'self';");
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("connect-src 'self' https://*.execute-api.eu-west-1.amazonaws.com");
    expect(headers).toMatchObject({ ContentTypeOptions: { Override: true }, FrameOptions: { FrameOption: 'DENY' } });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('SecurityHeaders') } }),
      }),
    });
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

  it('the api function writes no table but its intake rejections and the index builds: the impacts table, partition keys rejected#..., changes#..., incidents#..., metrics... only', () => {
    const writes = policyOf('api').filter((st) => actions([st]).some((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)));
    const impacts = resources('AWS::DynamoDB::GlobalTable').find(([, t]) => t.Properties.TableName === 'impact-impacts')![0];
    expect(writes).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [impacts, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['rejected#*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: { 'Fn::GetAtt': [impacts, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['changes#*', 'incidents#*', 'metrics', 'metrics#*'] } },
      },
    ]);
  });
});

describe('intake from the tools', () => {
  const secrets = () => resources('AWS::SecretsManager::Secret');
  const refOf = (id: string) => JSON.stringify({ Ref: id });

  it('one generated secret per tool that posts to /intake, encrypted with the stack key, its ARN an output', () => {
    const list = secrets();
    expect(list).toHaveLength(HTTP_INTAKE_SOURCES.length);
    for (const source of HTTP_INTAKE_SOURCES) {
      const [, secret] = list.find(([, sec]) => String(sec.Properties.Description).includes(`shared secret ${source} `))!;
      expect(secret.Properties).toMatchObject({
        GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
        KmsKeyId: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
      });
      expect(template.toJSON().Outputs[`IntakeSecret${source[0].toUpperCase()}${source.slice(1)}`]).toBeDefined();
    }
    expect(JSON.stringify(template.toJSON().Outputs.IntakeUrl.Value)).toContain('/intake/');
  });

  it('only the api function can read them, and it is told where each one is', () => {
    const ids = secrets().map(([id]) => id);
    for (const handler of HANDLERS) {
      const policy = JSON.stringify(policyOf(handler));
      const reads = ids.filter((id) => policy.includes(refOf(id)));
      expect(reads, handler).toEqual(handler === 'api' ? ids : []);
    }
    expect(actions(policyOf('api'))).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
    for (const [, secret] of resources('AWS::SecretsManager::ResourcePolicy')) expect(JSON.stringify(secret)).not.toContain('"*"');
    const env = template.findResources('AWS::Lambda::Function')[functionNamed('api')].Properties.Environment.Variables;
    for (const id of ids) expect(JSON.stringify(env.INTAKE_SECRETS)).toContain(refOf(id));
  });

  it('the intake configuration reaches the api and ingest functions as checked at synth', () => {
    for (const handler of ['api', 'ingest']) {
      const env = template.findResources('AWS::Lambda::Function')[functionNamed(handler)].Properties.Environment.Variables;
      expect(JSON.parse(env.INTAKE_CONFIG), handler).toEqual(CONFIG.intake);
    }
  });

  it('AWS Health events are forwarded from the default bus to the impact bus, where ingest takes them', () => {
    const rules = resources('AWS::Events::Rule');
    const [, forward] = rules.find(([, r]) => r.Properties.Description === ROUTES.forwardHealth.description)!;
    expect(forward.Properties.EventBusName).toBeUndefined();
    expect(forward.Properties.EventPattern).toEqual({ source: ['aws.health'], 'detail-type': ['AWS Health Event'] });
    expect(JSON.stringify(forward.Properties.Targets[0].Arn)).toContain('EventsBus');
    const [, ingest] = rules.find(([, r]) => r.Properties.Description === ROUTES.ingest.description)!;
    expect(ingest.Properties.EventPattern['detail-type']).toContain('AWS Health Event');
  });

  it('cdk -c key=value hands values over as text: lists, objects, numbers and flags are read as JSON, bad JSON names the key', () => {
    const context: Record<string, string> = {
      'impact:teamSubscriptions': '[{"team":"ops","email":"ops@example.com"}]',
      'impact:intake': '{"pagerduty":{"severity":"sev3"}}',
      'impact:incidentCadenceMinutes': '30',
      'impact:deletionProtection': 'false',
      'impact:busName': 'impact-test',
    };
    expect(configFromContext((key) => context[key])).toMatchObject({
      teamSubscriptions: [{ team: 'ops', email: 'ops@example.com' }],
      intake: { pagerduty: { severity: 'sev3' } },
      incidentCadenceMinutes: 30,
      deletionProtection: false,
      busName: 'impact-test',
    });
    expect(() => configFromContext((key) => (key === 'impact:intake' ? '{pagerduty:' : undefined))).toThrow(/impact:intake is not JSON/);
  });

  it('a bad intake configuration or team subscription fails synth, naming every problem', () => {
    const build = (config: object) => () => new ImpactPipelineStack(new App(), 'Bad', { env, config: { ...DEFAULT_CONFIG, ...config } as never });
    expect(build({ intake: { pagerduty: { severity: 'critical' } } })).toThrow(StackConfigError);
    expect(
      build({
        intake: { pagerduty: { severity: 'critical' } },
        teamSubscriptions: [
          { team: 'ops', webhook: 'http://plain.example.com' },
          { team: 'x', email: 'a@b.c', slack: {} },
        ],
      }),
    ).toThrow(
      /impact:teamSubscriptions\[0\]\.webhook must be an https:\/\/ URL[\s\S]*impact:teamSubscriptions\[1\] needs exactly one of email, slack, teams, webhook \(got email, slack\)[\s\S]*impact:intake\.pagerduty\.severity: .*sev1, sev2, sev3, sev4.*\(got "critical"\)/,
    );
    expect(build({ intake: { opsgenie: {} } })).toThrow(/impact:intake: has unknown key\(s\) "opsgenie"/);
  });
});

describe('briefings where support works', () => {
  const notifyEnv = () => template.findResources('AWS::Lambda::Function')[functionNamed('notify')].Properties.Environment.Variables;
  /** CHAT_CHANNELS with its topic references resolved to logical ids. */
  const chatChannels = () => {
    const parts = notifyEnv().CHAT_CHANNELS['Fn::Join'][1] as (string | { Ref: string })[];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : p.Ref)).join('')) as { team: string; dialect: string; topicArn: string }[];
  };

  it('e-mail and webhook subscriptions to support-briefings, each filtered on its team; the webhook gets the briefing JSON as it is', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'airport@example.com', FilterPolicy: { team: ['airport-ops'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/impact/payments',
      FilterPolicy: { team: ['payments'] },
      RawMessageDelivery: true,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it("a Slack channel and a Teams channel through AWS Chatbot, each on a topic of its own that notify publishes its team's briefings to", () => {
    const slack = resources('AWS::Chatbot::SlackChannelConfiguration');
    const teams = resources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration');
    expect(slack).toHaveLength(1);
    expect(teams).toHaveLength(1);
    expect(slack[0][1].Properties).toMatchObject({ SlackWorkspaceId: 'T0123ABCD', SlackChannelId: 'C0456EFGH', ConfigurationName: 'impact-airport-ops-slack' });
    expect(teams[0][1].Properties).toMatchObject({
      TeamId: TEAMS_CHANNEL.teamId,
      TeamsChannelId: TEAMS_CHANNEL.channelId,
      TeamsTenantId: TEAMS_CHANNEL.tenantId,
      ConfigurationName: 'impact-digital-teams',
    });
    const channels = chatChannels();
    expect(channels.map((c) => `${c.team}:${c.dialect}`)).toEqual(['airport-ops:slack', 'digital:teams']);
    expect(slack[0][1].Properties.SnsTopicArns).toEqual([{ Ref: channels[0].topicArn }]);
    expect(teams[0][1].Properties.SnsTopicArns).toEqual([{ Ref: channels[1].topicArn }]);
    for (const c of channels) {
      expect(template.toJSON().Resources[c.topicArn].Properties.KmsMasterKeyId).toBeDefined();
      expect(JSON.stringify(policyOf('notify'))).toContain(JSON.stringify({ Ref: c.topicArn }));
      for (const handler of ['ingest', 'assess', 'remind', 'api']) expect(JSON.stringify(policyOf(handler))).not.toContain(JSON.stringify({ Ref: c.topicArn }));
    }
    expect(JSON.stringify(notifyEnv().CONSOLE_URL)).toContain('ConsoleCdn');
  });

  it('chat channels may only read: ReadOnlyAccess as guardrail, and a channel role with no permissions', () => {
    const readOnly = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] };
    const [[, slack]] = resources('AWS::Chatbot::SlackChannelConfiguration');
    const [[, teams]] = resources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration');
    expect(slack.Properties.GuardrailPolicies).toEqual([readOnly]);
    expect(teams.Properties.GuardrailPolicies).toEqual([readOnly]);
    const roleId = slack.Properties.IamRoleArn['Fn::GetAtt'][0];
    expect(teams.Properties.IamRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(resources('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))).toEqual([]);
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

  it("a deliver function per channel behind its queue: partial batch failures, concurrency and batch from the channel's quota, the visibility six times the timeout", () => {
    for (const [handler, perSecond] of [
      ['deliver-email', '14'],
      ['deliver-sms', '1'],
      ['deliver-push', '100'],
    ] as const) {
      const id = functionNamed(handler);
      const fn = template.findResources('AWS::Lambda::Function')[id];
      expect(fn.Properties.Environment.Variables.DELIVERY_PER_SECOND).toBe(perSecond);
      const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === id)!;
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: Number(fn.Properties.Environment.Variables.DELIVERY_WORKERS) },
      });
      const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0];
      const queue = template.toJSON().Resources[queueId];
      expect(queue.Properties.VisibilityTimeout).toBe(fn.Properties.Timeout * 6);
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(10);
    }
  });

  it('the SES configuration set publishes delivery, bounce, complaint, delay and reject events to the default bus', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: { EventBusArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':events:eu-west-1:123456789012:event-bus/default'])] }) },
        MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'deliveryDelay', 'reject'],
      },
    });
  });

  it('the SMS configuration set publishes every text event to an SNS topic that the receipts function reads', () => {
    const [[, set]] = resources('AWS::SMSVOICE::ConfigurationSet');
    const [destination] = set.Properties.EventDestinations;
    expect(destination).toMatchObject({ Enabled: true, MatchingEventTypes: ['TEXT_ALL'] });
    const topicId = destination.SnsDestination.TopicArn.Ref;
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [functionNamed('receipts'), 'Arn'] },
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
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

  it("nothing new can read the contacts table: the receipts function may only set a contact's mark", () => {
    for (const handler of ['deliver-email', 'deliver-sms', 'deliver-push']) expect(policyText(handler)).not.toContain(TABLE('contacts'));
    const onContacts = policyOf('receipts').filter((s) => JSON.stringify(s.Resource).includes(TABLE('contacts')));
    expect(onContacts).toHaveLength(1);
    expect(onContacts[0]).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['customerId', 'mark_email', 'mark_sms', 'mark_push'] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      },
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
    const services = Object.values(shape.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
      .filter(Boolean);
    expect(services.sort()).toEqual(HANDLERS.map((h) => serviceName(h)).sort());
    const rules = Object.values(shape.findResources('AWS::Events::Rule')).map((r) => r.Properties.Description);
    for (const route of Object.values(ROUTES)) expect(rules.includes(route.description), route.description).toBe(!('delivery' in route));
    shape.resourceCountIs('AWS::SES::ConfigurationSet', 0);
  });

  it('without a sender for e-mail and SMS only push is delivered (the others stay on the topic)', () => {
    const shape = shapeOf({});
    const filters = Object.values(shape.findResources('AWS::SNS::Subscription'))
      .filter((s) => s.Properties.Protocol === 'sqs')
      .map((s) => s.Properties.FilterPolicy.channel[0]);
    expect(filters).toEqual(['push']);
    shape.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    shape.resourceCountIs('AWS::SMSVOICE::ConfigurationSet', 0);
  });

  it('a bad value names the key, the value and the fix', () => {
    expect(() => shapeOf({ delivery: 'carrier-pigeon' as never })).toThrow('impact:delivery is "carrier-pigeon": use built-in or topic-only');
    expect(() => shapeOf({ emailFrom: 'notices' })).toThrow(/impact:emailFrom is "notices": give the verified sender address/);
    expect(() => shapeOf({ smsOriginationIdentity: '+15555550100' })).toThrow(
      /impact:smsOriginationIdentity is "\+15555550100": give the ARN of a phone number, pool or sender ID/,
    );
    expect(() => shapeOf({ smsPartsPerSecond: 0 })).toThrow('impact:smsPartsPerSecond is 0: give a number above 0 (per second)');
  });
});
