/** The `impact` bus, its archive, and one rule per route of lib/routes.ts with retries and a DLQ. */
import { Duration, Validations } from 'aws-cdk-lib';
import { Archive, EventBus, Rule, type EventPattern } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTES, type Route, type RouteName } from '../routes.ts';
import { secureQueue } from './messaging.ts';

export interface EventRoutingProps {
  /** Name of the pipeline's bus (`impact` by default). */
  readonly busName: string;
  /** Encrypts the targets' dead-letter queue. */
  readonly key: IKey;
  /** How long the archive keeps every change and incident event for replay. */
  readonly archiveRetentionDays: number;
}

/** lib/routes.ts patterns in CDK's EventPattern shape (detail-type -> detailType). */
export const toCdkPattern = (pattern: Route['pattern']): EventPattern => {
  const { 'detail-type': detailType, ...rest } = pattern as Record<string, unknown>;
  return { ...(rest as EventPattern), ...(detailType ? { detailType: detailType as string[] } : {}) };
};

export class EventRouting extends Construct {
  readonly bus: EventBus;
  readonly targetDlq: Queue;
  readonly rules = new Map<RouteName, Rule>();

  constructor(scope: Construct, id: string, props: EventRoutingProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
    new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      eventPattern: { detailType: [...(ROUTES.ingest.pattern['detail-type'] as readonly string[])] },
      retention: Duration.days(props.archiveRetentionDays),
      description: 'every change and incident event, for replay (replayed events rebuild projections, never notify)',
    });
    this.targetDlq = secureQueue(this, 'TargetDlq', props.key);
    Validations.of(this.targetDlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the EventBridge targets.' });
    Validations.of(this.targetDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
  }

  /**
   * Creates the rules of every route, pointing at the functions by target name. Without a receipts
   * function (`impact:delivery` = `topic-only`) the delivery routes have no rule.
   */
  route(functions: Record<'ingest' | 'remind', IFunction> & { receipts?: IFunction }): void {
    for (const [name, route] of Object.entries(ROUTES) as [RouteName, Route][]) {
      if (route.delivery && !functions.receipts) continue;
      const target =
        route.target === 'impact-bus'
          ? new EventBusTarget(this.bus, { deadLetterQueue: this.targetDlq })
          : new LambdaFunction(functions[route.target]!, { deadLetterQueue: this.targetDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) });
      const rule = new Rule(this, `Route-${name}`, {
        description: route.description,
        ...(route.bus === 'impact' ? { eventBus: this.bus } : {}),
        eventPattern: toCdkPattern(route.pattern),
        targets: [target],
      });
      this.rules.set(name, rule);
    }
  }
}
