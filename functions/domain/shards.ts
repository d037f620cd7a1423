/**
 * Stable spreading of keys over a fixed number of shards (FNV-1a of the key). Storage uses it to keep
 * partitions cool; notice planning uses it so that a job's customers share few ledger claim pages, and
 * to split one subject's customers into shards that are assessed on their own.
 */
export const shardOf = (key: string, shards: number): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
};

/**
 * Which stored shards hold the customers of planning shard `shard` of `planShards`, when the items were
 * written spread over `storedShards` (a count that may be older than the planning one). Because
 * `shardOf(k, n) = h % n`, a customer of planning shard p lies in stored shard p % storedShards when
 * storedShards divides planShards, and in the stored shards p, p + planShards, ... when planShards
 * divides storedShards. `filter` says whether the items read must still be checked with shardOf (a
 * stored shard then holds customers of several planning shards).
 */
export const partitionsFor = (shard: number, planShards: number, storedShards: number): { shards: number[]; filter: boolean } => {
  if (storedShards === planShards) return { shards: [shard], filter: false };
  if (planShards % storedShards === 0) return { shards: [shard % storedShards], filter: true };
  if (storedShards % planShards === 0) return { shards: Array.from({ length: storedShards / planShards }, (_, i) => shard + i * planShards), filter: false };
  throw new RangeError(`shard counts ${planShards} and ${storedShards} do not divide each other; keep every shard count a power of two`);
};
