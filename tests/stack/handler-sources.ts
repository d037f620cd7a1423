/**
 * What the handlers' code says about them, read from the sources: the metrics each one emits and the
 * stores it reads or writes. The stack test holds the dashboard and the functions' tables against it,
 * so a metric or a store added in a handler cannot be forgotten in lib/.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');
const isHandlerEntry = (file: string) => /^functions\/handlers\/[^/]+\.ts$/.test(file);

/** The handler's module and every module under functions/ it imports, other handlers' entry modules excepted. */
export const modulesOf = (handler: string): string[] => {
  const entry = `functions/handlers/${handler}.ts`;
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of read(file).matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (target.startsWith('functions/') && !(isHandlerEntry(target) && target !== entry)) queue.push(target);
    }
  }
  return [...seen];
};

export interface EmittedMetric {
  name: string;
  dimensions: string[];
}

/** Metrics a handler emits: every `addMetric('Name', ...)`, and Powertools' ColdStart where it is captured. */
export const metricsOf = (handler: string): EmittedMetric[] => {
  const names = new Set<string>();
  let coldStart = false;
  for (const file of modulesOf(handler)) {
    const text = read(file);
    const literal = [...text.matchAll(/\.addMetric\(\s*'([A-Za-z0-9_]+)'/g)].map((m) => m[1]);
    const calls = [...text.matchAll(/\.addMetric\(/g)].length;
    if (literal.length !== calls) throw new Error(`${file}: a metric name that is not a string literal; the dashboard test cannot see it`);
    for (const n of literal) names.add(n);
    if (/captureColdStartMetric:\s*true/.test(text)) coldStart = true;
  }
  return [
    ...[...names].map((name) => ({ name, dimensions: ['service'] })),
    ...(coldStart ? [{ name: 'ColdStart', dimensions: ['service', 'function_name'] }] : []),
  ];
};

/** Which table each store of functions/handlers/shared/dependencies.ts reads and writes. */
const TABLE_OF_STORE = {
  events: ['events'],
  graph: ['graph'],
  projections: ['impacts'],
  ledger: ['impacts'],
  deliveries: ['impacts'],
  contacts: ['contacts'],
  shards: ['graph', 'impacts'],
} as const;

/** The tables a handler's code reaches through its dependencies (`deps.<store>` or `stores.<store>`). */
export const tablesOf = (handler: string): string[] => {
  const tables = new Set<string>();
  for (const file of modulesOf(handler)) {
    for (const [, store] of read(file).matchAll(/\b(?:deps|stores)\.(events|graph|projections|ledger|deliveries|contacts|shards)\b/g))
      for (const t of TABLE_OF_STORE[store as keyof typeof TABLE_OF_STORE]) tables.add(t);
  }
  return [...tables].sort();
};

/** Whether a handler's code renders customer notices (`deps.templates()`): such a function must ship the templates. */
export const rendersNotices = (handler: string): boolean => modulesOf(handler).some((file) => /\bdeps\.templates\(\)/.test(read(file)));
