/**
 * Local EventBridge Scheduler: one-off schedules kept in the runtime's store, fired onto the local bus
 * when due. A schedule name is created once (as CreateSchedule refuses a name that exists, and a fired
 * one is kept so a repeat of it is ignored); firing marks it and hands its event to the inbox in one
 * transaction, so a reminder is neither lost nor fired twice by a crash.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { Reminders, type RemindTrigger } from '../../functions/adapters/scheduler.ts';
import { NOTICE_DUE_DETAIL_TYPE, PIPELINE_SOURCE } from '../../functions/domain/events/schemas.ts';
import type { LocalBus } from './bus.ts';
import { atomically, type LocalStore } from './store.ts';

export class LocalReminders extends Reminders {
  private readonly db: LocalStore;
  private readonly statements;

  constructor(db: LocalStore) {
    super(new SchedulerClient({ region: 'local' }), { groupName: 'local', roleArn: 'local', busArn: 'local' });
    this.db = db;
    this.statements = {
      create: db.prepare('INSERT OR IGNORE INTO reminders (name, at, detail) VALUES (?, ?, ?)'),
      due: db.prepare('SELECT name, detail FROM reminders WHERE fired_at IS NULL AND at <= ? ORDER BY at, name'),
      fire: db.prepare('UPDATE reminders SET fired_at = ? WHERE name = ?'),
    };
  }

  override async schedule(triggers: readonly RemindTrigger[]): Promise<number> {
    return atomically(this.db, () =>
      triggers.reduce((created, t) => created + Number(this.statements.create.run(t.name, t.at, JSON.stringify(t.detail)).changes), 0),
    );
  }

  /** Puts every due reminder on the bus as a `Notice Due` event; returns how many fired. */
  fireDue(now: number, bus: LocalBus): number {
    return atomically(this.db, () => {
      const due = this.statements.due.all(now) as { name: string; detail: string }[];
      for (const d of due) this.statements.fire.run(now, d.name);
      if (due.length > 0)
        bus.put(
          'impact',
          due.map((d) => ({ source: PIPELINE_SOURCE, detailType: NOTICE_DUE_DETAIL_TYPE, detail: JSON.parse(d.detail) })),
        );
      return due.length;
    });
  }
}
