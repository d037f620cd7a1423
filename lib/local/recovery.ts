/**
 * The local runtime's crash recovery, run at every start before the pipeline does anything: the outbox
 * record is brought up to the outbox file (outbox.ts), then the ledger up to the outbox: a notice that
 * was delivered but whose ledger mark the runtime did not live to write is marked sent now, at the time
 * it was delivered. So after a kill -9 the ledger (what the API counts, what a resumed job skips) says
 * exactly what the outbox holds: a redelivered job finds it sent, and the local SNS would refuse to
 * write it twice anyway.
 */
import type { Ledger, LedgerEntry } from '../../functions/adapters/ledger.ts';
import type { Projections } from '../../functions/adapters/projections.ts';
import { EFFECTS, type Effect } from '../../functions/domain/model.ts';
import { JOB_CUSTOMERS } from '../../functions/domain/notices/jobs.ts';
import { parseNoticeId } from '../../functions/domain/notices/messages.ts';
import type { Log } from './log.ts';
import type { DeliveredNotice, Outbox } from './outbox.ts';

const isEffect = (value: string | undefined): value is Effect => (EFFECTS as readonly (string | undefined)[]).includes(value);

const ledgerEntry = (n: DeliveredNotice): LedgerEntry[] => {
  const id = parseNoticeId(n.noticeId);
  return id ? [{ ...id, channel: n.channel, sentAt: n.publishedAt, ...(isEffect(n.effect) ? { effect: n.effect } : {}) }] : [];
};

type Counting = Pick<Projections, 'markSentCounted' | 'settleCounts'>;

/**
 * Brings the ledger and the counts up to what was delivered: what the ledger lacks is marked and counted
 * (a new count token per subject and job's worth), what it has under a count token whose item does not
 * list it is counted under that token. Returns how many notices each.
 */
const settle = async (ledger: Ledger, projections: Counting, entries: readonly LedgerEntry[]) => {
  const { unsent, marked } = await ledger.records(entries);
  const bySubject = new Map<string, LedgerEntry[]>();
  for (const e of unsent) {
    const list = bySubject.get(e.subjectKey) ?? [];
    list.push(e);
    bySubject.set(e.subjectKey, list);
  }
  // Each keeps its own delivery time: the mark says when the outbox took it. A job's worth per token, as
  // notify counts (the token's item lists them).
  for (const [subjectKey, list] of bySubject)
    for (let i = 0; i < list.length; i += JOB_CUSTOMERS) await projections.markSentCounted(subjectKey, list.slice(i, i + JOB_CUSTOMERS));
  return { marked: unsent.length, counted: await projections.settleCounts(marked) };
};

/**
 * Marks sent in the ledger what the outbox delivered unmarked, and counts what the stop left uncounted;
 * returns how many notices the outbox had unmarked.
 */
export const reconcileLedger = async (outbox: Outbox, ledger: Ledger, log: Log, projections: Counting): Promise<number> => {
  const delivered = outbox.unmarked();
  if (delivered.length === 0) return 0;
  await settle(ledger, projections, delivered.flatMap(ledgerEntry));
  outbox.marked(delivered.map((n) => ({ body: { noticeId: n.noticeId, channel: n.channel } })));
  log(`recovered after a stop: ${delivered.length} notice(s) delivered to the outbox were marked sent in the ledger`);
  return delivered.length;
};

/** How far back, from DynamoDB Local's stop, delivered and marked notices are checked again. */
export const RECHECK_WINDOW_MS = 60_000;

/**
 * After DynamoDB Local was killed and started again on its data: a kill -9 can lose writes it had
 * already acknowledged (the chaos suite saw a batch marked sent and counted, answered 200, and gone after
 * the restart; AWS's DynamoDB does not do this). The notices the outbox delivered and recorded as marked
 * since `since` are checked against the ledger: those it lost are marked and counted again, marks whose
 * count it lost are counted, so the ledger and the counts keep matching the outbox. Returns how many
 * notices were marked or counted again.
 */
export const recheckLedger = async (outbox: Outbox, ledger: Ledger, log: Log, projections: Counting, since: number): Promise<number> => {
  const { marked, counted } = await settle(ledger, projections, outbox.markedSince(since).flatMap(ledgerEntry));
  if (marked + counted === 0) return 0;
  log(`DynamoDB Local lost ${marked} acknowledged ledger mark(s) and ${counted} count(s) when it stopped; marked and counted again`);
  return marked + counted;
};
