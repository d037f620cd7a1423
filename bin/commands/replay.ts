import type { Command } from 'commander';
import { EventStore } from '../../functions/adapters/event-store.ts';
import { GraphStore } from '../../functions/adapters/graph-store.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { projectSubject } from '../../functions/handlers/shared/project-subject.ts';
import { addStoreOptions, openStore, type StoreOptions } from './aws-clients.ts';

export const register = (program: Command): void => {
  addStoreOptions(
    program
      .command('replay')
      .description('rebuild every projection (subject state, customer impacts) from the event store; sends no notices')
      .option('--subject <key>', 'only this subject, e.g. change#CHG-2041'),
  ).action(async (opts: StoreOptions & { subject?: string }) => {
    const { client, tables } = await openStore(opts);
    const stores = { events: new EventStore(client, tables.events), graph: new GraphStore(client, tables), projections: new Projections(client, tables.impacts) };
    const all = await stores.events.readAll();
    const keys = opts.subject ? [opts.subject] : [...all.keys()];
    let changed = 0;
    for (const key of keys) {
      const result = await projectSubject(stores, key, all.get(key) ?? []);
      if (!result.changed) continue;
      changed++;
      const { summary } = result.projection;
      process.stdout.write(
        `${key}: ${result.projection.state.status}, ${summary.touchpoints} touchpoints, ${summary.customers} customers ` +
          `(was ${result.previousCustomers.length})\n`,
      );
    }
    process.stdout.write(`replayed ${keys.length} subject(s) from ${[...all.values()].reduce((n, l) => n + l.length, 0)} event(s); ${changed} projection(s) changed\n`);
  });
};
