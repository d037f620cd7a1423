/**
 * The planning job: what assess (and remind) hand to the planning function, one per customer shard of
 * a subject. Jobs of one (subject, shard) run one after another in the order they were queued (a FIFO
 * message group in AWS, the local queue's groups), so a shard's impacts are written in event order;
 * shards run side by side.
 */
import { z } from 'zod';
import { SCHEDULED_KINDS } from './kinds.ts';

const shardFields = {
  subjectKey: z.string(),
  shard: z.number().int().min(0),
  shards: z.number().int().positive(),
};

/** Assess one shard of the assessment run of an event (its facts are in the run's fan-in item). */
export const assessShardJobSchema = z.object({ type: z.literal('assess-shard'), eventVersion: z.number().int().min(0), ...shardFields });
/** Scheduled notices (reminder, overrun, incident cadence) for one shard, against the stored impacts. */
export const scheduledShardJobSchema = z.object({
  type: z.literal('scheduled-shard'),
  kind: z.enum(SCHEDULED_KINDS),
  version: z.number().int(),
  ...shardFields,
});

export const planJobSchema = z.discriminatedUnion('type', [assessShardJobSchema, scheduledShardJobSchema]);
export type PlanJob = z.infer<typeof planJobSchema>;
export type AssessShardJob = z.infer<typeof assessShardJobSchema>;

/** One job per shard, in shard order. */
export const shardJobs = <T extends object>(shards: number, job: (shard: number) => T): T[] => Array.from({ length: shards }, (_, shard) => job(shard));

/** FIFO group of a job (its subject and shard) and its deduplication id (a resent job within 5 minutes is one job). */
export const planJobGroup = (job: PlanJob): string => `${job.subjectKey}#${job.shard}`;
export const planJobId = (job: PlanJob): string =>
  job.type === 'assess-shard' ? `${job.subjectKey}#v${job.eventVersion}#${job.shard}` : `${job.subjectKey}#${job.kind}#${job.version}#${job.shard}`;
