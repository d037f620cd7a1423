/**
 * The local runtime's check after DynamoDB Local came back from a kill (lib/local/recovery.ts
 * recheckLedger): DynamoDB Local can lose writes it acknowledged just before a kill -9 (the chaos suite
 * saw a batch marked sent and counted, then gone). Notices the outbox delivered and recorded as marked
 * are checked against the ledger; the lost ones are marked and counted again, once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, newCountToken, type LedgerEntry } from '../../functions/adapters/ledger.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { LocalTopic, Outbox } from '../../lib/local/outbox.ts';
import { recheckLedger } from '../../lib/local/recovery.ts';
import { openLocalStore } from '../../lib/local/store.ts';
import { freshTables } from '../support/dynamodb.ts';

const SUBJECT = 'change#CHG-1';

const notice = (customerId: string) => ({
  id: customerId,
  body: {
    noticeId: `${SUBJECT}/${customerId}/change-notice/1`,
    kind: 'change-notice',
    subject: SUBJECT,
    customerId,
    channel: 'email',
    to: `${customerId.toLowerCase()}@example.com`,
    text: 'Dear customer',
  },
  attributes: { kind: 'change-notice', channel: 'email', effect: 'outage' },
});

const entry = (customerId: string, sentAt: number): LedgerEntry => ({
  subjectKey: SUBJECT,
  customerId,
  kind: 'change-notice',
  version: 1,
  channel: 'email',
  sentAt,
  effect: 'outage',
});

const setup = async () => {
  const { client, tables } = await freshTables();
  const outbox = new Outbox(join(mkdtempSync(join(tmpdir(), 'impact-recheck-')), 'outbox.jsonl'), openLocalStore(':memory:'));
  return {
    ledger: new Ledger(client, tables.impacts),
    projections: new Projections(client, tables.impacts),
    outbox,
    topic: new LocalTopic('customer-notices', outbox, []),
  };
};

describe('after DynamoDB Local came back from a kill', () => {
  it('given delivered notices whose acknowledged ledger mark was lost, then they are marked and counted again, once, and nothing older than the window is read', async () => {
    const { ledger, projections, outbox, topic } = await setup();
    // Delivered long ago, marked in the outbox, never in the ledger: outside the window, left alone.
    await topic.publish([notice('C-0')], { after: async (published) => outbox.marked(published) });
    const since = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    // Delivered, marked and counted: C-1 and C-2 in one transaction that held; C-3's was acknowledged and lost.
    await topic.publish([notice('C-1'), notice('C-2'), notice('C-3')], {
      after: async (published) => {
        await projections.markSentCounted(SUBJECT, [entry('C-1', Date.now()), entry('C-2', Date.now())], Date.now());
        outbox.marked(published);
      },
    });
    const logged: string[] = [];

    expect(await recheckLedger(outbox, ledger, (l) => logged.push(l), projections, since)).toBe(1);
    expect((await ledger.sentAbout(SUBJECT)).map((e) => e.customerId).sort()).toEqual(['C-1', 'C-2', 'C-3']);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'change-notice': 3 });
    expect(logged.join('\n')).toMatch(/lost 1 acknowledged ledger mark/);
    expect(logged.join('\n')).not.toMatch(/@example\.com/);

    // Checked again (another restart): nothing is missing, nothing is counted twice.
    expect(await recheckLedger(outbox, ledger, () => {}, projections, since)).toBe(0);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'change-notice': 3 });
  });

  it('given delivered notices whose marks held but whose acknowledged count was lost, then they are counted, once', async () => {
    const { ledger, projections, outbox, topic } = await setup();
    const since = Date.now();
    // C-1 marked and counted; C-2 and C-3 marked under their batch's token, their count gone with the kill.
    await topic.publish([notice('C-1'), notice('C-2'), notice('C-3')], {
      after: async (published) => {
        await projections.markSentCounted(SUBJECT, [entry('C-1', Date.now())], Date.now());
        await projections.markSent([entry('C-2', Date.now()), entry('C-3', Date.now())], newCountToken('C-2'));
        outbox.marked(published);
      },
    });
    const logged: string[] = [];

    expect(await recheckLedger(outbox, ledger, (l) => logged.push(l), projections, since)).toBe(2);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'change-notice': 3 });
    expect(logged.join('\n')).toMatch(/lost 0 acknowledged ledger mark\(s\) and 2 count/);
    expect(await recheckLedger(outbox, ledger, () => {}, projections, since)).toBe(0);
    expect((await projections.noticeCounts(SUBJECT)).byKind).toEqual({ 'change-notice': 3 });
  });
});
