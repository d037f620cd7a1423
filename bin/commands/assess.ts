import { Option, type Command } from 'commander';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { assessDetailed, viewOf } from '../../functions/domain/impact/assess.ts';
import { FORMATS, renderCsv, renderJson, renderTable, type Format } from './format.ts';
import { readSubject } from './inputs.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const register = (program: Command): void => {
  program
    .command('assess')
    .description('what-if: which touchpoints and customers a change or incident hits (offline: no AWS, no database)')
    .requiredOption('--graph <file>', 'graph file (YAML or JSON); repeat for several files', collect)
    .option('--customers <file>', 'customers.csv (id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd)')
    .option('--usage <file>', 'usage.csv (customerId,touchpoint,from,to)')
    .requiredOption('--event <file>', "one EventBridge event, or a JSON array of one subject's events (folded in order)")
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .addHelpText(
      'after',
      '\nExample:\n  impact assess --graph examples/airline/graph.yaml --customers examples/airline/customers.csv \\\n    --usage examples/airline/usage.csv --event examples/airline/events/change-scheduled.json --format table',
    )
    .action(async (opts: { graph: string[]; customers?: string; usage?: string; event: string; format: Format }) => {
      // Read the event first: it is small, and its errors should not wait for a million-row CSV.
      const { subject } = await readSubject(opts.event);
      const { graph } = await loadGraph({ graphFiles: opts.graph, customersCsv: opts.customers, usageCsv: opts.usage });
      const { assessment, records } = assessDetailed(viewOf(graph), subject);
      const output =
        opts.format === 'json' ? renderJson(assessment) : opts.format === 'csv' ? renderCsv(assessment.customers, records) : renderTable(assessment, subject);
      process.stdout.write(output);
    });
};
