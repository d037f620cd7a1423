/**
 * Exact notice counts with cheap marks (functions/adapters/projections.ts markSentCounted, settleCounts):
 * a batch's marks carry a count token, and the batch is counted once under it. Marks whose count a stop
 * cut off are counted by whoever finds them; two that find them at once count them once.
 */
import { describe, expect, it } from 'vitest';
import { Ledger, newCountToken, type LedgerEntry } from '../../functions/adapters/ledger.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { freshTables } from '../support/dynamodb.ts';

const SUBJECT = 'incident#INC-1';
const entry = (customerId: string, channel = 'email'): LedgerEntry => ({
  subjectKey: SUBJECT,
  customerId,
  kind: 'incident-notice',
  version: 1,
  channel,
  sentAt: Date.UTC(2026, 10, 26, 5),
});

const setup = async () => {
  const { client, tables } = await freshTables();
  return { ledger: new Ledger(client, tables.impacts), projections: new Projections(client, tables.impacts) };
};

/** What a worker leaves when it dies after marking a run's batches sent and before counting them. */
const marksOnly = (projections: Projections, run: readonly LedgerEntry[]) => projections.markSent(run, newCountToken(run[0].customerId));

describe('notice counts under count tokens', () => {
  it('given batches marked and counted, then the counts match the ledger and nothing is left to settle', async () => {
    const { ledger, projections } = await setup();
    const all = Array.from({ length: 25 }, (_, i) => entry(`C-${i}`, i % 5 === 0 ? 'sms' : 'email'));
    for (let i = 0; i < all.length; i += 10) await projections.markSentCounted(SUBJECT, all.slice(i, i + 10), Date.UTC(2026, 10, 26, 5, 1));
    expect(await projections.noticeCounts(SUBJECT)).toMatchObject({ byKind: { 'incident-notice': 25 }, byChannel: { email: 20, sms: 5 } });
    const { unsent, marked } = await ledger.records(all);
    expect(unsent).toEqual([]);
    expect(marked).toHaveLength(25);
    expect(await projections.settleCounts(marked)).toBe(0);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'incident-notice': 25 });
  });

  it('given two batches whose count was cut off, when two workers settle them at once, then each notice is counted exactly once', async () => {
    const { ledger, projections } = await setup();
    const first = Array.from({ length: 10 }, (_, i) => entry(`C-${i}`));
    const second = Array.from({ length: 7 }, (_, i) => entry(`D-${i}`, 'sms'));
    await marksOnly(projections, first);
    await marksOnly(projections, second);
    await projections.markSentCounted(SUBJECT, [entry('E-1')], Date.UTC(2026, 10, 26, 5, 2));
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'incident-notice': 1 });

    const { marked } = await ledger.records([...first, ...second, entry('E-1')]);
    const settled = await Promise.all([projections.settleCounts(marked), projections.settleCounts([...marked].reverse()), projections.settleCounts(marked)]);
    expect(settled.reduce((a, b) => a + b, 0)).toBe(17);
    expect(await projections.noticeCounts(SUBJECT)).toMatchObject({ byKind: { 'incident-notice': 18 }, byChannel: { email: 11, sms: 7 } });
    // Settled again later (another resumed claim): nothing more.
    expect(await projections.settleCounts(marked)).toBe(0);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'incident-notice': 18 });
  });

  it('given a run cut short, when one that took over some of its claims settles those first, then the run that resumes the rest counts only the rest', async () => {
    const { ledger, projections } = await setup();
    const run = Array.from({ length: 12 }, (_, i) => entry(`C-${i}`));
    await marksOnly(projections, run);
    const { marked } = await ledger.records(run);
    expect(await projections.settleCounts(marked.slice(0, 5))).toBe(5);
    expect(await projections.settleCounts(marked)).toBe(7);
    expect(await projections.settleCounts(marked)).toBe(0);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'incident-notice': 12 });
  });
});
