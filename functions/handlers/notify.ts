/**
 * notify (SQS jobs from assess and remind): customer notices and support briefings. Contacts are read
 * here and only here; news the subject's current state superseded is dropped, quiet hours and the
 * merge window defer what is not urgent (domain/notices/merging.ts); every notice is claimed in the ledger
 * before it is published (exactly once per subject, customer, kind and version; the claim is a lease,
 * adapters/ledger.ts), published with PublishBatch while the lease holds, and marked sent batch by batch;
 * what SNS refuses after every retry has its claim released and is queued again a few times
 * (afterPublishFailure), then goes to the dead-letter queue with its reason.
 * Contact details never reach a log line.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { newCountToken, type LedgerEntry } from '../adapters/ledger.ts';
import type { OutgoingMessage } from '../adapters/sns.ts';
import {
  MERGE_WINDOW_MS,
  PUBLISH_RETRIES,
  afterPublishFailure,
  byQuietHours,
  customerNoticeMessage,
  isNewsKind,
  isSuperseded,
  jobSchema,
  type NoticeJob,
} from '../domain/notices/index.ts';
import { briefingMessages } from '../domain/chat/briefing.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { claimNotices, recordUnreached, sendingChannels } from './shared/send-channels.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';
import './shared/templates.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The job's customers whose notice the subject's current state has not superseded (see isSuperseded). */
const notSuperseded = async (deps: Dependencies, job: NoticeJob): Promise<NoticeJob['customers']> => {
  if (!isNewsKind(job.kind)) return job.customers;
  const current = await deps.projections.getSubject(job.subjectKey);
  if (!current) return job.customers;
  const kept = job.customers.filter((c) => !isSuperseded({ kind: job.kind, version: c.version, scheduled: job.scheduled }, current.state));
  if (kept.length < job.customers.length) {
    metrics.addMetric('NoticesSuperseded', MetricUnit.Count, job.customers.length - kept.length);
    logger.info('notices superseded by a newer state', { subject: job.subjectKey, kind: job.kind, superseded: job.customers.length - kept.length });
  }
  return kept;
};

const sendNotices = async (deps: Dependencies, job: NoticeJob, claimant: string): Promise<void> => {
  const now = deps.now();
  const mergeWindowMs = (deps.settings.mergeWindowMinutes ?? MERGE_WINDOW_MS / 60_000) * 60_000;
  const { due, later } = byQuietHours(job.kind, await notSuperseded(deps, job), now, mergeWindowMs);
  // Deferred customers go back on the queue; the job returns (at most 15 min later) until it is due.
  if (later.size > 0) {
    await deps.jobs.send([...later].map(([at, customers]) => ({ body: { ...job, customers }, delaySeconds: Math.min(900, Math.ceil((at - now) / 1000)) })));
    metrics.addMetric(
      'NoticesDeferred',
      MetricUnit.Count,
      [...later.values()].reduce((n, l) => n + l.length, 0),
    );
  }
  if (due.length === 0) return;

  const contacts = await deps.contacts.contactsOf(due.map((c) => c.id));
  // The planned channel, or the next usable one when its contact bounced or opted out (or this is a fallback).
  const { recipients: reachable, unreached } = await sendingChannels(deps, job, due, contacts);
  await recordUnreached(deps, job, unreached, now);
  metrics.addMetric('NoticesUnreachable', MetricUnit.Count, due.length - reachable.length);
  const entries: LedgerEntry[] = reachable.map(({ customer, channel }) => ({
    subjectKey: job.subjectKey,
    customerId: customer.id,
    kind: job.kind,
    version: customer.version,
    channel,
    sentAt: now,
    effect: customer.effect,
  }));
  const { send, skipped, leaseUntil, marked } = await claimNotices(deps, job, entries, claimant, now);
  metrics.addMetric('NoticesAlreadySent', MetricUnit.Count, skipped.length);
  // Marks of a resumed claim whose count the stop may have cut off are counted now, once.
  if (marked.length > 0) metrics.addMetric('NoticeCountsSettled', MetricUnit.Count, await deps.projections.settleCounts(marked));
  const byId = new Map(reachable.map((r) => [r.customer.id, r]));
  const messages: OutgoingMessage[] = send.map((entry) => {
    const { customer, channel, to } = byId.get(entry.customerId)!;
    return { id: entry.customerId, ...customerNoticeMessage(deps.templates(), job, customer, channel, to) };
  });
  // Pace this worker at its share of the region's message budget (the workers together stay within it).
  const perBatchMs = Math.ceil((10 / (deps.settings.snsMessagesPerSecond / (deps.settings.notifyConcurrency ?? 1))) * 1000);
  const entryOf = new Map(send.map((e) => [e.customerId, e]));
  const sent: LedgerEntry[] = [];
  // The marks of this run carry one count token; the run counts them once at its end (a run cut short
  // leaves them to the one that resumes its claims: settleCounts), one transaction per job, not per batch.
  const countToken = newCountToken(send[0]?.customerId ?? claimant);
  // Claim (a lease), publish, mark: each batch SNS took is marked sent at once, and no batch goes out once
  // the lease is nearly over (another worker may take the claims then). A worker that dies between
  // SNS taking a batch and the mark leaves that one batch to be sent again by whoever resumes its claims.
  const failures = await deps.customerNotices.publish(messages, {
    before: () => deps.ledger.checkLease(claimant, leaseUntil, deps.now()),
    after: async (published) => {
      const batch = published.map((m) => ({ ...entryOf.get(m.id)!, sentAt: deps.now() }));
      await deps.projections.markSent(batch, countToken);
      sent.push(...batch);
      await sleep(perBatchMs);
    },
  });
  await deps.projections.countMarked(job.subjectKey, sent, countToken);
  const sentCount = sent.length;
  const failedIds = new Set(failures.map((f) => f.message.id));
  if (failures.length > 0) {
    const lost = send.filter((e) => failedIds.has(e.customerId));
    await deps.ledger.release(lost, claimant);
    const next = afterPublishFailure(job, failedIds);
    if ('retry' in next) {
      await deps.jobs.send([next.retry]);
      metrics.addMetric('NoticesRequeued', MetricUnit.Count, failures.length);
    } else {
      const reasons = new Map(failures.map((f) => [f.message.id, f.reason]));
      await deps.deadLetters.sendOne({
        reason: `publish failed after retries, queued again ${PUBLISH_RETRIES} times`,
        failures: lost.map((e) => ({ customerId: e.customerId, reason: reasons.get(e.customerId) })),
        job: next.deadLetter,
      });
      metrics.addMetric('NoticesFailed', MetricUnit.Count, failures.length);
    }
  }
  metrics.addMetric('NoticesSent', MetricUnit.Count, sentCount);
  logger.info('notices sent', {
    subject: job.subjectKey,
    kind: job.kind,
    // The job's message id: whose claims these are (a job that claimed and never came back is found by it).
    claimant,
    sent: sentCount,
    alreadySent: skipped.length,
    failed: failures.length,
    unreachable: due.length - reachable.length,
  });
};

export const notifyRecord = async (deps: Dependencies, record: SQSRecord): Promise<void> => {
  const job = jobSchema.parse(JSON.parse(record.body));
  if (job.type === 'briefing') {
    const { briefing, chat } = briefingMessages(job.briefing, job.text, { consoleUrl: deps.settings.consoleUrl, channels: deps.supportChat });
    await deps.supportBriefings.publishOne(briefing.body, briefing.attributes);
    for (const c of chat) await c.channel.topic.publishOne(c.body, c.attributes);
    metrics.addMetric('BriefingsSent', MetricUnit.Count, 1);
    return;
  }
  await sendNotices(deps, job, record.messageId);
};

export const buildNotifyHandler = (deps: Dependencies) =>
  // A processor per invocation: it keeps the batch's failures in its own fields, and the local runtime
  // runs several invocations of one handler at once (a shared one lost a failed job's failure: its
  // claims then stayed held and the job was deleted as done).
  middy((event: SQSEvent, context: Context) =>
    processPartialResponse(event, (record: SQSRecord) => notifyRecord(deps, record), new BatchProcessor(EventType.SQS), { context }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildNotifyHandler> | undefined;
export const handler = (event: SQSEvent, context: Context) => (lazy ??= buildNotifyHandler(fromEnvironment()))(event, context);
