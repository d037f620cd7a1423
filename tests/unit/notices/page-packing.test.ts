/**
 * PagePacker (domain/notices/page-packing.ts): the planner's notice jobs regrouped by ledger claim page,
 * so that notify claims a job with one or two conditional updates and jobs of one run do not race.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EFFECTS } from '../../../functions/domain/model.ts';
import { fanOutRank } from '../../../functions/domain/notices/kinds.ts';
import { JOB_CUSTOMERS, noticePageOf, type NoticeJob } from '../../../functions/domain/notices/jobs.ts';
import { PagePacker } from '../../../functions/domain/notices/page-packing.ts';

const header = (kind: 'incident-notice' | 'incident-update', eventVersion = 1): Omit<NoticeJob, 'customers'> => ({
  type: 'notices',
  subjectKey: 'incident#INC-1',
  subject: { type: 'incident', id: 'INC-1', start: 0 },
  eventVersion,
  kind,
  touchpointNames: { web: 'Website' },
});

const customer = (id: number, effect: (typeof EFFECTS)[number]): NoticeJob['customers'][number] => ({
  id: `C-${id}`,
  version: 1,
  effect,
  channel: 'email',
  touchpoints: ['web'],
});

/** Planner batches as planShardBatch cuts them: jobs of up to JOB_CUSTOMERS in any page order. */
const batchesArb = fc.array(
  fc.array(
    fc.record({
      kind: fc.constantFrom('incident-notice' as const, 'incident-update' as const),
      customers: fc.integer({ min: 0, max: JOB_CUSTOMERS }),
      effect: fc.constantFrom(...EFFECTS),
    }),
    { maxLength: 6 },
  ),
  { maxLength: 12 },
);

const pagesOf = (job: NoticeJob) => new Set(job.customers.map((c) => noticePageOf(c.id)));

describe('packing notice jobs by claim page', () => {
  it('given any run of batches, then every customer comes out once with its own job header, in jobs of at most JOB_CUSTOMERS, in fan-out order, within the limit held', () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 50, max: 2_000 }), (batches, limit) => {
        const packer = new PagePacker(limit);
        const out: NoticeJob[] = [];
        const sent = new Map<string, string>();
        let seq = 0;
        for (const batch of batches) {
          // A customer is planned once per kind by its shard: ids never repeat within a kind.
          const jobs = batch.map(({ kind, customers, effect }) => ({
            ...header(kind),
            customers: Array.from({ length: customers }, () => customer(seq++, effect)),
          }));
          for (const job of jobs) for (const c of job.customers) sent.set(`${job.kind}/${c.id}`, c.effect);
          out.push(...packer.add(jobs));
        }
        const held = packer.flush();
        expect(held.flatMap((j) => j.customers).length).toBeLessThanOrEqual(limit);
        out.push(...held);
        const received = out.flatMap((job) => job.customers.map((c) => `${job.kind}/${c.id}`));
        expect(received.length).toBe(sent.size);
        expect(new Set(received)).toEqual(new Set(sent.keys()));
        for (const job of out) {
          expect(job.customers.length).toBeGreaterThan(0);
          expect(job.customers.length).toBeLessThanOrEqual(JOB_CUSTOMERS);
          const ranks = job.customers.map((c) => fanOutRank(c.effect));
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        }
        expect(packer.flush()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('given customers of one kind arriving in batches, then a page is never split between two jobs and a full page is a job of its own', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 6_000 }), (ids) => {
        const packer = new PagePacker(100_000);
        const out: NoticeJob[] = [];
        for (let i = 0; i < ids.length; i += 1_000)
          out.push(...packer.add([{ ...header('incident-notice'), customers: ids.slice(i, i + 1_000).map((id) => customer(id, 'outage')) }]));
        const fromAdd = out.length;
        out.push(...packer.flush());
        const jobsOfPage = new Map<number, number>();
        for (const job of out) for (const page of pagesOf(job)) jobsOfPage.set(page, (jobsOfPage.get(page) ?? 0) + 1);
        expect([...jobsOfPage.values()].every((n) => n === 1)).toBe(true);
        for (const job of out.slice(0, fromAdd)) {
          expect(pagesOf(job).size).toBe(1);
          expect(job.customers.length).toBe(JOB_CUSTOMERS);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('given more customers held than the limit, then the largest pages go first and at most the limit stays held', () => {
    const packer = new PagePacker(300);
    // 150 customers on one page, then many pages of one customer each.
    const onePage: number[] = [];
    for (let id = 0; onePage.length < 150; id++) if (noticePageOf(`C-${id}`) === 7) onePage.push(id);
    const others: number[] = [];
    for (let id = 0; others.length < 200; id++)
      if (noticePageOf(`C-${id}`) !== 7 && !others.some((o) => noticePageOf(`C-${o}`) === noticePageOf(`C-${id}`))) others.push(id);
    expect(packer.add([{ ...header('incident-notice'), customers: onePage.map((id) => customer(id, 'degraded')) }])).toEqual([]);
    const released = packer.add([{ ...header('incident-notice'), customers: others.map((id) => customer(id, 'outage')) }]).flatMap((j) => j.customers);
    // 350 held, over the limit of 300: the page of 150 goes first, then single pages until half the limit is held.
    expect(onePage.every((id) => released.some((c) => c.id === `C-${id}`))).toBe(true);
    const stillHeld = packer.flush().flatMap((j) => j.customers).length;
    expect(stillHeld).toBe(150);
    expect(stillHeld + released.length).toBe(350);
  });
});
