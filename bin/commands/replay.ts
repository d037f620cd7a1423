import type { Command } from 'commander';
import { EventStore } from '../../functions/adapters/event-store.ts';
import { GraphStore } from '../../functions/adapters/graph-store.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { projectSubject } from '../../functions/handlers/shared/project-subject.ts';
import { addStoreOptions, openStore, type StoreOptions } from './aws-clients.ts';
import { CliInputError } from './cli-errors.ts';

const LISTED = 10;

/** Why `--subject` names nothing in the store, with the subjects it does hold (the first few) to choose from. */
export const unknownSubject = (subject: string, known: readonly string[], table: string): string[] => {
  const guesses = known.filter((key) => key === `change#${subject}` || key === `incident#${subject}`);
  const listed = known.slice(0, LISTED).join(', ');
  return [
    `--subject ${JSON.stringify(subject)}: the event store (table ${table}) holds no events of that subject; ` +
      (guesses.length > 0 ? `did you mean ${guesses.join(' or ')}? ` : '') +
      'subject keys are change#<changeId> or incident#<incidentId>',
    known.length === 0
      ? 'the event store holds no events at all: check --table-prefix and --endpoint'
      : `subjects in the store (${known.length}): ${listed}${known.length > LISTED ? ', ...' : ''}; leave out --subject to replay them all`,
  ];
};

export const register = (program: Command): void => {
  addStoreOptions(
    program
      .command('replay')
      .description('rebuild every projection (subject state, customer impacts) from the event store; sends no notices')
      .option('--subject <key>', 'only this subject, e.g. change#CHG-2041'),
  ).action(async (opts: StoreOptions & { subject?: string }) => {
    const { client, tables } = await openStore(opts);
    const stores = {
      events: new EventStore(client, tables.events),
      graph: new GraphStore(client, tables),
      projections: new Projections(client, tables.impacts),
    };
    const all = await stores.events.readAll();
    if (opts.subject !== undefined && !all.has(opts.subject)) throw new CliInputError(unknownSubject(opts.subject, [...all.keys()], tables.events));
    const keys = opts.subject !== undefined ? [opts.subject] : [...all.keys()];
    let changed = 0;
    for (const key of keys) {
      const result = await projectSubject(stores, key, all.get(key));
      if (!result.changed) continue;
      changed++;
      const { summary } = result.projection;
      process.stdout.write(
        `${key}: ${result.projection.state.status}, ${summary.touchpoints} touchpoints, ${summary.customers} customers ` +
          `(was ${result.previousCustomers.length})\n`,
      );
    }
    process.stdout.write(
      `replayed ${keys.length} subject(s) from ${[...all.values()].reduce((n, l) => n + l.length, 0)} event(s); ${changed} projection(s) changed\n`,
    );
  });
};
