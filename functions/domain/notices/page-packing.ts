/**
 * Notice jobs packed by claim page. notify claims a job's customers with one conditional update per
 * ledger page they fall on (adapters/ledger.ts), and a shard's customers are spread over its pages by id
 * hash, so a job cut from one planning batch touched a dozen pages, and the jobs of one batch, taken by
 * several notify workers at once, raced on the same pages (26,000 claim updates, most of them lost races,
 * for 94,000 notices in the bench). Held back a while and regrouped by page, a job touches one page, or
 * two when pages are small, and no other job of the run touches it.
 *
 * The packer holds at most `limit` customers (bounded memory whatever the shard's size); past that it
 * lets go of its largest pages first. Within a job, outage before degraded before none, then by id.
 */
import { JOB_CUSTOMERS, noticePageOf, type NoticeJob } from './jobs.ts';
import { compareNotices } from './kinds.ts';

type JobCustomer = NoticeJob['customers'][number];

/** Customers held per packer: about 5 MB of jobs, and a page of a 3-million-customer notice fills before. */
export const PACKED_CUSTOMERS = 16_000;

interface Held {
  header: Omit<NoticeJob, 'customers'>;
  /** Customers by claim page. */
  pages: Map<number, JobCustomer[]>;
}

/** A job's customers in fan-out order (compareNotices: one kind per job, so by effect, then id). */
const inFanOutOrder = (header: Pick<NoticeJob, 'kind'>, customers: JobCustomer[]): NoticeJob['customers'] =>
  customers.sort((a, b) =>
    compareNotices({ kind: header.kind, effect: a.effect, customerId: a.id }, { kind: header.kind, effect: b.effect, customerId: b.id }),
  );

export class PagePacker {
  /** By job header (subject, kind, version, names): jobs only ever merge customers of the same header. */
  private readonly held = new Map<string, Held>();
  private count = 0;
  private readonly limit: number;

  constructor(limit = PACKED_CUSTOMERS) {
    this.limit = limit;
  }

  /** Takes jobs in; gives back the jobs now ready (full pages, and the largest pages past the limit). */
  add(jobs: readonly NoticeJob[]): NoticeJob[] {
    const ready: NoticeJob[] = [];
    for (const { customers, ...header } of jobs) {
      const key = JSON.stringify(header);
      let held = this.held.get(key);
      if (!held) this.held.set(key, (held = { header, pages: new Map() }));
      for (const customer of customers) {
        const page = noticePageOf(customer.id);
        const run = held.pages.get(page);
        if (run) run.push(customer);
        else held.pages.set(page, [customer]);
        this.count++;
        if (run && run.length === JOB_CUSTOMERS) {
          ready.push({ ...header, customers: inFanOutOrder(header, run) });
          held.pages.delete(page);
          this.count -= run.length;
        }
      }
    }
    if (this.count > this.limit) ready.push(...this.release((held) => held <= this.limit / 2));
    return ready;
  }

  /** Every job still held (the shard is done). */
  flush(): NoticeJob[] {
    return this.release(() => false);
  }

  /**
   * Lets go of the largest pages first until `enough(customers still held)`, each page whole, pages
   * packed together into jobs of at most JOB_CUSTOMERS.
   */
  private release(enough: (count: number) => boolean): NoticeJob[] {
    const pages = [...this.held.values()]
      .flatMap((held) => [...held.pages].map(([page, customers]) => ({ held, page, customers })))
      .sort((a, b) => b.customers.length - a.customers.length || a.page - b.page);
    const chosen: typeof pages = [];
    for (const p of pages) {
      if (enough(this.count)) break;
      chosen.push(p);
      p.held.pages.delete(p.page);
      this.count -= p.customers.length;
    }
    const jobs: NoticeJob[] = [];
    for (const held of new Set(chosen.map((p) => p.held))) {
      let job: JobCustomer[] = [];
      for (const p of chosen.filter((c) => c.held === held).sort((a, b) => a.page - b.page)) {
        if (job.length + p.customers.length > JOB_CUSTOMERS) {
          jobs.push({ ...held.header, customers: inFanOutOrder(held.header, job) });
          job = [];
        }
        job.push(...p.customers);
      }
      if (job.length > 0) jobs.push({ ...held.header, customers: inFanOutOrder(held.header, job) });
    }
    for (const [key, held] of this.held) if (held.pages.size === 0) this.held.delete(key);
    return jobs;
  }
}
