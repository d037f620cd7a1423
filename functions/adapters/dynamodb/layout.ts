/**
 * Item layout decisions that the adapters, the local runtime and the benchmarks share: how far hot
 * partitions are spread, and the `kind` that marks an event item. Table names, keys and indexes are
 * in lib/tables.ts, which re-exports the shard counts.
 */

/** Usage of one touchpoint is spread over this many partitions (each < 1,000 WCU/s, read in parallel). */
export const USAGE_SHARDS = 16;
/** The bySubject index partition of a subject is spread over this many shards. */
export const SUBJECT_SHARDS = 16;

/**
 * The `kind` of an event item in the events table: stream consumers (assess, the local runtime's
 * idle check) and replay tell events from dedupe items by it.
 */
export const EVENT_ITEM_KIND = 'event';
