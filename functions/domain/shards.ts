/**
 * Stable spreading of keys over a fixed number of shards (FNV-1a of the key). Storage uses it to keep
 * partitions cool; notice planning uses it so that a job's customers share few ledger claim pages.
 */
export const shardOf = (key: string, shards: number): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
};
