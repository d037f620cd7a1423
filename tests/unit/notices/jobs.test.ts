import { describe, expect, it } from 'vitest';
import { JOB_CUSTOMERS, NOTICE_PAGES, noticePageOf, toJobs, type JobSource, type PlannedNotice } from '../../../functions/domain/notices/index.ts';
import { compareNotices } from '../../../functions/domain/notices/kinds.ts';
import { initialSubject } from '../../../functions/domain/subject.ts';

const source: JobSource = {
  state: { ...initialSubject('incident', 'INC-1'), opened: true },
  subjectKey: 'incident#INC-1',
  touchpointNames: {},
  customer: () => ({ channel: 'email', touchpoints: ['web'] }),
};

// 60,000 notices of two kinds, a third of them degraded: about 29 customers per claim page per kind.
const plan = Array.from(
  { length: 60_000 },
  (_, i): PlannedNotice => ({
    customerId: `C-${i}`,
    kind: i % 2 === 0 ? 'incident-notice' : 'incident-update',
    version: 1,
    effect: i % 3 === 0 ? 'degraded' : 'outage',
  }),
).sort(compareNotices);

describe('notice jobs', () => {
  const jobs = toJobs(plan, source);

  it('carry every planned notice once, at most JOB_CUSTOMERS per job, one kind per job', () => {
    expect(jobs.every((j) => j.customers.length <= JOB_CUSTOMERS)).toBe(true);
    const carried = jobs.flatMap((j) => j.customers.map((c) => `${j.kind}/${c.id}`));
    expect(carried).toHaveLength(plan.length);
    expect(new Set(carried)).toEqual(new Set(plan.map((n) => `${n.kind}/${n.customerId}`)));
  });

  it('keep the fan-out order: incident notices before updates, outages before degraded within a kind', () => {
    expect([...new Set(jobs.map((j) => j.kind))]).toEqual(['incident-notice', 'incident-update']);
    expect(jobs.findLastIndex((j) => j.kind === 'incident-notice')).toBeLessThan(jobs.findIndex((j) => j.kind === 'incident-update'));
    for (const kind of ['incident-notice', 'incident-update']) {
      const effects = jobs.filter((j) => j.kind === kind).flatMap((j) => j.customers.map((c) => c.effect));
      expect(effects.indexOf('degraded')).toBe(effects.lastIndexOf('outage') + 1);
    }
  });

  it('group customers by ledger claim page, so a job claims its notices in a few page updates', () => {
    const pagesOf = (ids: string[]) => new Set(ids.map(noticePageOf)).size;
    const pagesPerJob = jobs.map((j) => pagesOf(j.customers.map((c) => c.id)));
    // Per kind, ~20 outage and ~10 degraded customers share a page: a job of 200 spans 10 to 25 pages.
    expect(Math.max(...pagesPerJob)).toBeLessThanOrEqual(25);
    // Cut in plain id order, the same jobs would each span ~180 pages.
    const idOrder = plan.filter((n) => n.kind === 'incident-notice' && n.effect === 'outage').slice(0, JOB_CUSTOMERS);
    expect(pagesOf(idOrder.map((n) => n.customerId))).toBeGreaterThan(150);
    const pages = jobs.flatMap((j) => j.customers.map((c) => noticePageOf(c.id)));
    expect(new Set(pages).size).toBe(NOTICE_PAGES);
  });
});
