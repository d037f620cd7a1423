import type { Command } from 'commander';
import { loadGraph } from '../../functions/adapters/graph-files.ts';

/** `impact graph` is a group; other modules add `graph import` to the same group. */
export const graphGroup = (program: Command): Command =>
  program.commands.find((c) => c.name() === 'graph') ?? program.command('graph').description('work with touchpoint-dependency graphs');

export const register = (program: Command): void => {
  graphGroup(program)
    .command('validate')
    .description('check graph files (and customers/usage CSVs): every problem at once, cycles as warnings')
    .argument('<files...>', 'graph files (YAML or JSON)')
    .option('--customers <file>', 'customers.csv')
    .option('--usage <file>', 'usage.csv')
    .action(async (files: string[], opts: { customers?: string; usage?: string }) => {
      const { graph, warnings } = await loadGraph({ graphFiles: files, customersCsv: opts.customers, usageCsv: opts.usage });
      let usages = 0;
      for (const list of graph.usagesByTouchpoint.values()) usages += list.length;
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(
        `valid: ${graph.components.size} components, ${graph.touchpoints.size} touchpoints, ` +
          `${graph.notificationChannels.size} notification channels, ${graph.customers.size} customers, ${usages} usages` +
          `${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}\n`,
      );
    });
};
