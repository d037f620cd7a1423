import { Option, type Command } from 'commander';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { assessDetailed, viewOf } from '../../functions/domain/impact/assess.ts';
import type { SubjectState } from '../../functions/domain/model.ts';
import { inLocale, renderPreviews, touchpointNamesOf, whatIfPreviewGroups, type RenderedPreview } from '../../functions/domain/notices/index.ts';
import { CliInputError } from './cli-errors.ts';
import { FORMATS, renderCsv, renderJson, renderTable, type Format } from './format.ts';
import { readSubject } from './inputs.ts';
import { describePreview, localeProblem, templatesForPreview } from './templates.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface AssessOptions {
  graph: string[];
  customers?: string;
  usage?: string;
  event: string;
  format: Format;
  preview?: boolean;
  locale?: string[];
}

/** Options that make no sense together are refused before any file is read. */
const optionProblems = (opts: AssessOptions): string[] => [
  ...(opts.locale && !opts.preview ? ['--locale only applies with --preview; add --preview, or leave --locale out'] : []),
  ...(opts.preview && opts.format === 'csv' ? ['--preview prints texts, not a customer list; use --format table or json with it'] : []),
  ...(opts.locale ?? []).flatMap((l) => localeProblem(l) ?? []),
];

const customersOf = (n: number) => `${n} customer${n === 1 ? '' : 's'}`;

/** The previews for people: each text with whom it goes to, then its channel's content. */
const renderPreviewText = (subject: SubjectState, previews: readonly RenderedPreview[], reached: number): string => {
  const name = `${subject.type === 'change' ? 'Change' : 'Incident'} ${subject.id}${subject.title ? ` "${subject.title}"` : ''}`;
  if (previews.length === 0) return `${name}: no affected customer can be reached, so no notice would be sent.\n`;
  const parts = previews.map((p) => {
    return `${p.kind} in ${p.requestedLocale}, ${p.effect}, to ${customersOf(p.count)} (e.g. ${p.sampleCustomerId}), from ${p.file}\n${describePreview(p)}`;
  });
  return `${name}: what customers would be told first (${previews.length} text${previews.length === 1 ? '' : 's'} for ${customersOf(reached)})\n\n${parts.join('\n')}`;
};

export const register = (program: Command): void => {
  program
    .command('assess')
    .description('what-if: which touchpoints and customers a change or incident hits (offline: no AWS, no database)')
    .requiredOption('--graph <file>', 'graph file (YAML or JSON); repeat for several files', collect)
    .option('--customers <file>', 'customers.csv (id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd)')
    .option('--usage <file>', 'usage.csv (customerId,touchpoint,from,to)')
    .requiredOption('--event <file>', "one EventBridge event, or a JSON array of one subject's events (folded in order)")
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--preview', 'print the texts customers would get first instead (per kind, locale, channel and effect of the affected customers)')
    .option('--locale <locale>', "with --preview: render in this locale instead of the customers' own; repeat for several", collect)
    .addHelpText(
      'after',
      '\nExamples:\n  impact assess --graph examples/airline/graph.yaml --customers examples/airline/customers.csv \\\n    --usage examples/airline/usage.csv --event examples/airline/events/change-scheduled.json --format table' +
        '\n  impact assess --graph examples/airline/graph.yaml --customers examples/airline/customers.csv \\\n    --usage examples/airline/usage.csv --event examples/airline/events/change-scheduled.json --preview --locale de-DE',
    )
    .action(async (opts: AssessOptions) => {
      const problems = optionProblems(opts);
      if (problems.length > 0) throw new CliInputError(problems);
      const now = Date.now();
      // Read the event first: it is small, and its errors should not wait for a million-row CSV.
      const { subject } = await readSubject(opts.event, now);
      const templates = opts.preview ? templatesForPreview() : undefined;
      const { graph } = await loadGraph({ graphFiles: opts.graph, customersCsv: opts.customers, usageCsv: opts.usage });
      const view = viewOf(graph);
      const { assessment, records } = assessDetailed(view, subject);
      if (templates) {
        const groups = whatIfPreviewGroups({
          state: subject,
          subjectKey: `${subject.type}#${subject.id}`,
          affected: assessment.customers,
          profiles: records,
          touchpointNames: touchpointNamesOf(assessment.touchpoints, view),
          at: now,
        });
        const previews = renderPreviews(templates, opts.locale ? opts.locale.flatMap((l) => inLocale(groups, l)) : groups);
        process.stdout.write(
          opts.format === 'json'
            ? `${JSON.stringify(previews, null, 2)}\n`
            : renderPreviewText(
                subject,
                previews,
                groups.reduce((n, g) => n + g.count, 0),
              ),
        );
        return;
      }
      const output =
        opts.format === 'json' ? renderJson(assessment) : opts.format === 'csv' ? renderCsv(assessment.customers, records) : renderTable(assessment, subject);
      process.stdout.write(output);
    });
};
