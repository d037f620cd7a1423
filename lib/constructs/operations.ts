/** Alarms on every DLQ, on handler errors and on the assess stream's iterator age; a dashboard. */
import { Duration, Validations } from 'aws-cdk-lib';
import { secureQueue } from './messaging.ts';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../environment.ts';

export interface OperationsProps {
  key: IKey;
  alarmEmail: string;
  functions: Record<string, IFunction>;
  deadLetterQueues: Record<string, Queue>;
}

export class Operations extends Construct {
  readonly opsTopic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.opsTopic = new Topic(this, 'Ops', { displayName: 'impact-ops', masterKey: props.key, enforceSSL: true });
    if (props.alarmEmail) {
      const undelivered = secureQueue(this, 'UndeliveredAlarms', props.key);
      Validations.of(undelivered).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the alarm e-mail subscription.' });
      Validations.of(undelivered).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This is itself a dead-letter queue.' });
      this.opsTopic.addSubscription(new EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
    }
    const action = new SnsAction(this.opsTopic);
    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }).createAlarm(this, `${name}NotEmpty`, {
        alarmDescription: `${name} has messages: something failed every retry`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }));
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      add(fn.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, `${name}Errors`, {
        alarmDescription: `${name} function errors`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }));
    }
    const iteratorAge = new Metric({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensionsMap: { FunctionName: props.functions.assess.functionName }, statistic: 'Maximum', period: Duration.minutes(1) });
    add(iteratorAge.createAlarm(this, 'AssessIteratorAge', { alarmDescription: 'assess is falling behind the event store stream', threshold: 5 * 60_000, evaluationPeriods: 3, treatMissingData: TreatMissingData.NOT_BREACHING }));

    const own = (metricName: string) => new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period: Duration.minutes(5) });
    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({ title: 'Events', left: [own('EventsAppended'), own('DuplicateEvents'), own('EventsRejected')] }),
          new GraphWidget({ title: 'Notices', left: [own('NoticesPlanned'), own('NoticesSent'), own('NoticesDeferred'), own('NoticesFailed'), own('NoticesUnreachable')] }),
          new GraphWidget({ title: 'Assess iterator age', left: [iteratorAge] }),
        ],
      ],
    });
  }
}
