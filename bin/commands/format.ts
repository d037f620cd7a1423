/** Renders an assessment for people (table), for mail merges (csv) and for machines (json, DESIGN section 5). */
import type { AssessedCustomer, Assessment, Customer, SubjectState } from '../../functions/domain/model.ts';
import { addressOn } from '../../functions/domain/impact/customers.ts';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export const renderJson = (assessment: Assessment): string => `${JSON.stringify(assessment, null, 2)}\n`;

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

const when = (iso: string | undefined) => (iso ? iso.replace(':00.000Z', 'Z') : 'open-ended');

export const TABLE_CUSTOMER_ROWS = 20;

export const renderTable = (assessment: Assessment, subject: SubjectState): string => {
  const { summary } = assessment;
  const lines: string[] = [];
  const status = subject.opened ? subject.status : 'held: its opening event has not arrived';
  lines.push(`${subject.type === 'change' ? 'Change' : 'Incident'} ${subject.id}${subject.title ? ` "${subject.title}"` : ''} (${status})`);
  lines.push(`Window: ${when(assessment.subject.window.start)} -> ${when(assessment.subject.window.end)}`);
  lines.push('');
  lines.push(`Touchpoints hit: ${summary.touchpoints}`);
  const idWidth = Math.max(10, ...assessment.touchpoints.map((t) => t.id.length));
  for (const t of assessment.touchpoints) {
    lines.push(`  ${t.effect.padEnd(9)} ${t.id.padEnd(idWidth)} ${t.channel.padEnd(14)} ${t.path.join(' -> ')}`);
  }
  lines.push('');
  lines.push(`Customers affected: ${summary.customers}`);
  lines.push(`  by effect:          ${counts(summary.byEffect)}`);
  lines.push(`  by notice channel:  ${counts(summary.byChannel)}`);
  lines.push(`  by segment:         ${counts(summary.bySegment)}`);
  lines.push(`  unreachable:        ${summary.unreachable} (no usable channel or opted out)`);
  if (assessment.unknownNodes.length > 0) lines.push(`Unknown nodes (not in the graph): ${assessment.unknownNodes.join(', ')}`);
  if (assessment.customers.length > 0) {
    const shown = assessment.customers.slice(0, TABLE_CUSTOMER_ROWS);
    lines.push('');
    lines.push(`First ${shown.length} of ${assessment.customers.length} customers:`);
    for (const c of shown) {
      lines.push(`  ${c.id.padEnd(12)} ${c.effect.padEnd(9)} ${(c.notify[0] ?? '-').padEnd(6)} ${c.touchpoints.join(', ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
};

export const CSV_HEADER = ['id', 'effect', 'touchpoints', 'notify', 'to', 'segment', 'locale'] as const;

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * One row per affected customer for a mail merge. `to` is the address on the chosen channel: the
 * merge needs it, and this goes to the user's own stdout/file, never to a log.
 */
export const renderCsv = (customers: readonly AssessedCustomer[], records: readonly (Customer | undefined)[]): string => {
  const rows = [CSV_HEADER.join(',')];
  customers.forEach((c, i) => {
    const record = records[i];
    const channel = c.notify[0];
    const to = (channel && addressOn(record?.contacts, channel)) ?? '';
    rows.push([c.id, c.effect, c.touchpoints.join('|'), channel ?? '', to, record?.segment ?? '', record?.locale ?? ''].map(csvField).join(','));
  });
  return `${rows.join('\n')}\n`;
};
