/**
 * Item layout decisions that the adapters, the local runtime and the benchmarks share: how far hot
 * partitions are spread, and the `kind` that marks an event item. Table names, keys and indexes are
 * in lib/tables.ts, which re-exports the shard counts.
 *
 * Shard counts are part of item keys, so a count that changes must still read what was written with
 * the old one: the graph's usage shard count travels with the graph version (the `meta` item says
 * which count its usage items were written with; absent = LEGACY_SHARDS), and readers map a planning
 * shard onto the stored shards with functions/domain/shards.ts `partitionsFor` (docs/decisions.md,
 * Storage: how a subject shard count above 16 would be introduced).
 */

/** Usage of one touchpoint is spread over this many partitions (each < 1,000 WCU/s, read in parallel). */
export const USAGE_SHARDS = 16;
/**
 * The bySubject index partition of a subject is spread over this many shards: a subject's ledger
 * records (one per notice) and impacts are capped at SUBJECT_SHARDS x 1,000 WCU/s. It is also the
 * number of planning invocations one assessment fans out to (one per customer shard).
 */
export const SUBJECT_SHARDS = 16;
/** The usage shard count of graphs whose meta item does not record one. */
export const LEGACY_SHARDS = 16;
/**
 * The byEffectSegment index (the console's filtered customer pages) spreads each (subject, effect,
 * segment) over this many partitions: a page merges |effects| x |segments| x VIEW_SHARDS partitions.
 */
export const VIEW_SHARDS = 4;
/** Notice counters of a subject (by kind and channel) are spread over this many items. */
export const COUNTER_SHARDS = 8;

/**
 * The `kind` of an event item in the events table: stream consumers (assess, the local runtime's
 * idle check) and replay tell events from dedupe items by it.
 */
export const EVENT_ITEM_KIND = 'event';

/**
 * The window indexes (adapters/window-index.ts: the changes index and the metrics facts) keep a subject
 * whose window is at most this long under its start, a longer or open-ended one under its end. A range
 * query reads, beyond what it returns, the short subjects that started this long before `from` and are
 * over by then. Changing it moves items between partitions: clear the indexes (the `changes#*` items;
 * the `metrics#*` facts and their anchors, after moving the facts back to the `metrics` partition) and
 * let them be rebuilt.
 */
export const LONG_CHANGE_MS = 24 * 3_600_000;
