/** One-off EventBridge Scheduler schedules that put a `Notice Due` event on the bus; names are idempotent. */
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { NOTICE_DUE_DETAIL_TYPE, PIPELINE_SOURCE, type NoticeDue } from '../domain/events/schemas.ts';

export interface RemindTrigger {
  name: string;
  at: number;
  detail: NoticeDue;
}

export class Reminders {
  private readonly client: SchedulerClient;
  private readonly config: { groupName: string; roleArn: string; busArn: string };

  constructor(client: SchedulerClient, config: { groupName: string; roleArn: string; busArn: string }) {
    this.client = client;
    this.config = config;
  }

  /** Creates each schedule once: a schedule that already exists (same name) is left as it is. */
  async schedule(triggers: readonly RemindTrigger[]): Promise<number> {
    let created = 0;
    for (const t of triggers) {
      try {
        await this.client.send(
          new CreateScheduleCommand({
            Name: t.name.slice(0, 64),
            GroupName: this.config.groupName,
            ScheduleExpression: `at(${new Date(t.at).toISOString().slice(0, 19)})`,
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: this.config.busArn,
              RoleArn: this.config.roleArn,
              EventBridgeParameters: { DetailType: NOTICE_DUE_DETAIL_TYPE, Source: PIPELINE_SOURCE },
              Input: JSON.stringify(t.detail),
            },
          }),
        );
        created++;
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
      }
    }
    return created;
  }
}
