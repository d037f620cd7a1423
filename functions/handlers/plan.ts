/**
 * plan (SQS FIFO planning jobs from assess and remind, one per customer shard of a subject): assesses
 * one shard and plans its notices, a batch of customers at a time. The shard's usages, stored impacts
 * and ledger are read as sorted partitions and merge-joined (adapters/shard-store.ts), so memory stays
 * at a few pages per partition and one batch whatever the estate's size. Per batch: the notice jobs go
 * to notify first (outage first), then the batch's impacts are written. The shard's counts go to the
 * run's fan-in item; the shard that completes the run briefs support, stores the summary, the held
 * plan and the metrics facts, and emits `Impact Assessed`. The rules are in domain/notices/shard-plan.ts.
 */
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AssessmentRun } from '../adapters/projections.ts';
import type { Effect, NotifyChannel } from '../domain/model.ts';
import {
  addShardCounts,
  briefingJob,
  briefingKind,
  buildBriefings,
  emptyShardCounts,
  firstPlannedKind,
  planJobSchema,
  planShardBatch,
  PagePacker,
  type NoticeJob,
  type PlanJob,
  type ShardContext,
  type ShardCounts,
  type ShardCustomer,
} from '../domain/notices/index.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

/** Customers planned together: the unit of memory (and of the first jobs' latency) of a shard. */
export const PLAN_BATCH = 1_000;

async function* batches(customers: AsyncIterable<ShardCustomer>, size: number): AsyncGenerator<ShardCustomer[]> {
  let batch: ShardCustomer[] = [];
  for await (const c of customers) {
    batch.push(c);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Plans one shard: notices queued and impacts written batch by batch; returns the shard's counts. */
const planShard = async (deps: Dependencies, ctx: ShardContext, read: Parameters<Dependencies['shards']['customers']>[0]): Promise<ShardCounts> => {
  const parts: ShardCounts[] = [emptyShardCounts(ctx.work)];
  // Jobs are packed by claim page (domain/notices/page-packing.ts), so that notify claims each with one
  // or two updates and no two jobs race on a page; the first batch's go at once, packed among themselves
  // (the first customers hear within seconds).
  const packer = new PagePacker();
  let first = true;
  const send = async (jobs: NoticeJob[]) => {
    if (jobs.length > 0) await deps.jobs.send(jobs.map((body) => ({ body })));
  };
  for await (const batch of batches(deps.shards.customers(read), PLAN_BATCH)) {
    const planned = planShardBatch(ctx, batch);
    // Notices first: the impacts (the console's view) may follow a moment later.
    await send(first ? [...packer.add(planned.jobs), ...packer.flush()] : packer.add(planned.jobs));
    first = false;
    if (ctx.work.type === 'assess') await deps.projections.writeImpacts(ctx.subjectKey, planned.write, planned.remove);
    parts.push(planned.counts);
  }
  await send(packer.flush());
  return addShardCounts(parts);
};

/** Everything a run's shards knew, once the last is done: summary, held plan, briefings, `Impact Assessed`. */
const completeRun = async (deps: Dependencies, run: AssessmentRun): Promise<void> => {
  const total = addShardCounts(Object.values(run.done));
  const { state, subjectKey, mode } = run;
  const summary = { touchpoints: run.touchpoints.length, ...total.summary };
  const current = await deps.projections.getSubject(subjectKey);
  // A newer event's run owns the projection once it started: its own fan-in writes the counts.
  if (current && current.eventVersion === run.eventVersion) {
    const { assessing: _done, ...rest } = current;
    await deps.projections.putSubject({ ...rest, summary, byEffectSegment: total.byEffectSegment, updatedAt: deps.now() });
  }
  await deps.projections.putMetricsFacts({
    subjectKey,
    state,
    customers: summary.customers,
    touchpoints: run.touchpoints.map((t) => t.id),
    eventVersion: run.eventVersion,
  });
  logger.info('subject assessed', {
    subject: subjectKey,
    status: state.status,
    version: run.eventVersion,
    customers: summary.customers,
    touchpoints: summary.touchpoints,
    mode,
  });
  if (mode === 'replay') return;
  if (total.folded > 0) metrics.addMetric('NoticesFoldedIntoChange', MetricUnit.Count, total.folded);
  const plannedCount = Object.values(total.planned).reduce((a, b) => a + (b ?? 0), 0);
  if (mode === 'hold') {
    // Kept as counts and preview groups; Notices Approved plans again against the ledger (see domain/notices/approval.ts).
    const before = await deps.projections.getHeld(subjectKey);
    // A run begun before the groups were kept has shards without them: no groups rather than a part of them.
    const held = Object.values(run.done).every((shard) => shard.held) ? total.held : undefined;
    await deps.projections.putHeld({
      subjectKey,
      byKind: total.planned,
      customers: total.planCustomers,
      unreachable: total.planUnreachable,
      since: state.draft?.since ?? before?.since ?? run.at,
      eventVersion: run.eventVersion,
      ...(held ? { groups: held.groups, ...(held.truncated ? { previewsTruncated: true } : {}) } : {}),
    });
    metrics.addMetric('NoticesHeld', MetricUnit.Count, plannedCount);
  } else {
    // Support hears of every change, told to customers or not; a draft is briefed once it is approved.
    const first = mode === 'send' ? firstPlannedKind(total.planned) : undefined;
    const kind = briefingKind({
      changed: run.stateChanged || total.impactsChanged > 0,
      state,
      assessment: { touchpoints: run.touchpoints },
      plan: first ? [{ kind: first }] : [],
    });
    if (kind) {
      const { topology } = await deps.graph.topology();
      const window = {
        start: new Date(state.window.start).toISOString(),
        ...(state.window.end !== undefined ? { end: new Date(state.window.end).toISOString() } : {}),
      };
      const assessment = {
        subject: { type: state.type, id: state.id, window },
        touchpoints: run.touchpoints,
        customers: [],
        unknownNodes: run.unknownNodes,
        summary,
      };
      await deps.jobs.send(buildBriefings(state, assessment, undefined, topology, kind).map((b) => ({ body: briefingJob(b) })));
    }
  }
  const sending = mode === 'send' ? plannedCount : 0;
  await deps.pipelineEvents.emit([
    {
      detailType: 'Impact Assessed',
      detail: {
        subjectKey,
        status: state.status,
        scopeVersion: state.scopeVersion,
        summary,
        unknownNodes: run.unknownNodes,
        noticesPlanned: sending,
        noticeMode: mode,
        ...(mode === 'hold' ? { noticesHeld: plannedCount } : {}),
      },
    },
  ]);
  metrics.addMetric('NoticesPlanned', MetricUnit.Count, sending);
  if (mode !== 'send') logger.info('notices not sent', { subject: subjectKey, mode, planned: plannedCount });
};

const assessShard = async (deps: Dependencies, job: Extract<PlanJob, { type: 'assess-shard' }>): Promise<void> => {
  const run = await deps.projections.getRun(job.subjectKey, job.eventVersion);
  if (!run) throw new Error(`no assessment run for ${job.subjectKey} v${job.eventVersion}: assess starts the run before it queues its shards; retry later`);
  const ctx: ShardContext = {
    subjectKey: run.subjectKey,
    eventVersion: run.eventVersion,
    state: run.state,
    work: { type: 'assess', mode: run.mode, at: run.at },
    touchpointEffects: new Map(run.touchpoints.map((t) => [t.id, t.effect])),
    channelEffects: new Map(Object.entries(run.channelEffects) as [NotifyChannel, Effect][]),
    touchpointNames: run.touchpointNames,
  };
  const counts =
    run.done[String(job.shard)] ??
    (await planShard(deps, ctx, {
      subjectKey: run.subjectKey,
      shard: job.shard,
      shards: run.shards,
      touchpoints: run.touchpoints.map((t) => t.id),
      usageShards: run.usageShards,
      coveringChanges: run.coveringChanges,
    }));
  const after = await deps.projections.finishShard(run.subjectKey, run.eventVersion, job.shard, counts);
  if (
    Object.keys(after.done).length >= after.shards &&
    !after.completedAt &&
    (await deps.projections.completeRun(run.subjectKey, run.eventVersion, deps.now()))
  )
    await completeRun(deps, after);
};

const scheduledShard = async (deps: Dependencies, job: Extract<PlanJob, { type: 'scheduled-shard' }>): Promise<void> => {
  const projection = await deps.projections.getSubject(job.subjectKey);
  if (!projection) return;
  const ctx: ShardContext = {
    subjectKey: job.subjectKey,
    eventVersion: projection.eventVersion,
    state: projection.state,
    work: { type: 'scheduled', kind: job.kind, version: job.version },
    touchpointEffects: new Map(),
    channelEffects: new Map(),
    touchpointNames: Object.fromEntries(projection.touchpoints.map((t) => [t.id, t.id])),
  };
  const { topology } = await deps.graph.topology();
  for (const t of projection.touchpoints) ctx.touchpointNames[t.id] = topology.touchpoints.get(t.id)?.name ?? t.id;
  const counts = await planShard(deps, ctx, { subjectKey: job.subjectKey, shard: job.shard, shards: job.shards, touchpoints: [], usageShards: 1 });
  const planned = Object.values(counts.planned).reduce((a, b) => a + (b ?? 0), 0);
  metrics.addMetric('ScheduledNoticesPlanned', MetricUnit.Count, planned);
  logger.info('scheduled notices planned', { subject: job.subjectKey, kind: job.kind, version: job.version, shard: job.shard, planned });
};

export const planRecord = async (deps: Dependencies, record: SQSRecord): Promise<void> => {
  const job = planJobSchema.parse(JSON.parse(record.body));
  if (job.type === 'assess-shard') await assessShard(deps, job);
  else await scheduledShard(deps, job);
};

export const buildPlanHandler = (deps: Dependencies) =>
  // FIFO: a failed job stops the rest of its group in the batch, so a shard's jobs never overtake each other.
  // A processor per invocation: its state is per batch, and the local runtime runs two planners at once.
  middy((event: SQSEvent, context: Context) =>
    processPartialResponse(event, (record: SQSRecord) => planRecord(deps, record), new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
    }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildPlanHandler> | undefined;
export const handler = (event: SQSEvent, context: Context) => (lazy ??= buildPlanHandler(fromEnvironment()))(event, context);
