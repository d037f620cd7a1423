/**
 * Who should hear of a subject, computed offline with the pure what-if of functions/domain (the same
 * rules as `impact assess`, no pipeline, no database): the independent expectation that end-to-end
 * tests compare the outbox against.
 */
import { loadGraph, type GraphFiles } from '../../functions/adapters/graph-files.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { assessDetailed, viewOf } from '../../functions/domain/impact/assess.ts';
import { isUrgent, type NoticeKind } from '../../functions/domain/notices/kinds.ts';
import { sendAfterQuietHours } from '../../functions/domain/notices/quiet-hours.ts';
import { foldSubject } from '../../functions/domain/subject.ts';

export interface ExpectedNotices {
  subjectKey: string;
  affected: number;
  /** Customer id -> the channel the first notice goes on. */
  channel: Map<string, string>;
  /** Customers whose first notice is due now and stays due for the next `horizonMs`. */
  due: string[];
  /** Customers whose first notice waits for the end of their quiet hours (beyond `horizonMs`). */
  deferred: string[];
}

/** The first notice of a subject (change-notice / incident-notice), as due at `at`. */
export const expectedFirstNotices = async (files: GraphFiles, rawEvents: readonly unknown[], at: number, horizonMs = 10 * 60_000): Promise<ExpectedNotices> => {
  const { graph } = await loadGraph(files);
  const subject = foldSubject(rawEvents.map((raw, i) => parseEvent(raw, { receivedAt: at + i })));
  const { assessment, records } = assessDetailed(viewOf(graph), subject);
  const kind: NoticeKind = subject.type === 'change' ? 'change-notice' : 'incident-notice';
  const result: ExpectedNotices = {
    subjectKey: `${subject.type}#${subject.id}`,
    affected: assessment.customers.length,
    channel: new Map(),
    due: [],
    deferred: [],
  };
  assessment.customers.forEach((c, i) => {
    if (c.notify.length === 0) return;
    result.channel.set(c.id, c.notify[0]);
    const record = records[i];
    const quiet = (t: number) => !isUrgent(kind, c.effect) && sendAfterQuietHours(record?.quietHours, record?.timeZone, t) > t;
    if (!quiet(at) && !quiet(at + horizonMs)) result.due.push(c.id);
    else if (quiet(at) && quiet(at + horizonMs)) result.deferred.push(c.id);
  });
  return result;
};
