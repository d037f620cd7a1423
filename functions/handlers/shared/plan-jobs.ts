/** Queues one planning job per customer shard (FIFO: each shard's jobs stay in the order they were queued). */
import { planJobGroup, planJobId, shardJobs, type PlanJob } from '../../domain/notices/index.ts';
import type { Dependencies } from './dependencies.ts';

type WithoutShard<T> = T extends unknown ? Omit<T, 'shard' | 'shards'> : never;

export const queuePlanJobs = async (deps: Pick<Dependencies, 'planJobs'>, job: WithoutShard<PlanJob>, shards: number): Promise<void> => {
  const jobs = shardJobs(shards, (shard) => ({ ...job, shard, shards }) as PlanJob);
  await deps.planJobs.send(jobs.map((body) => ({ body, group: planJobGroup(body), dedupeId: planJobId(body) })));
};
