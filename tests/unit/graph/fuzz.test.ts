import { Readable } from 'node:stream';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CUSTOMERS_CSV_HEADER, GraphBuilder, GraphValidationError, USAGE_CSV_HEADER, readCsvRows } from '../../../functions/domain/graph/index.ts';

/** A problem list is the only way a graph may fail: every problem names its file, where and what. */
const builtOrProblems = (build: () => unknown) => {
  try {
    build();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(GraphValidationError);
    for (const p of (error as GraphValidationError).problems) expect([typeof p.file, typeof p.path, typeof p.message]).toEqual(['string', 'string', 'string']);
  }
};

const id = fc.oneof(fc.constantFrom('db', 'api', 'web', 'C-1', 'ghost', '', 'bad id', '__proto__'), fc.string({ maxLength: 8 }), fc.jsonValue());
const dependency = fc.oneof(
  id,
  fc.record({ id, type: fc.oneof(fc.constantFrom('hard', 'soft'), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ anyOf: fc.oneof(fc.array(id, { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }),
);
const node = fc.record(
  {
    id,
    channel: fc.oneof(fc.constantFrom('web', 'kiosk', 'fax'), fc.jsonValue()),
    dependsOn: fc.oneof(fc.array(dependency, { maxLength: 3 }), fc.jsonValue()),
    team: fc.jsonValue(),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const customer = fc.record(
  {
    id,
    channels: fc.oneof(fc.array(fc.constantFrom('email', 'sms', 'push', 'fax')), fc.jsonValue()),
    uses: fc.oneof(
      fc.array(fc.oneof(id, fc.record({ touchpoint: id, from: fc.oneof(fc.string(), fc.jsonValue()), to: fc.jsonValue() }, { requiredKeys: [] })), {
        maxLength: 3,
      }),
      fc.jsonValue(),
    ),
    timeZone: fc.oneof(fc.constantFrom('Europe/Amsterdam', 'Mars/Base'), fc.jsonValue()),
    quietHours: fc.jsonValue(),
    optOut: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const document = fc.record(
  {
    components: fc.oneof(fc.array(node, { maxLength: 4 }), fc.jsonValue()),
    touchpoints: fc.oneof(fc.array(node, { maxLength: 4 }), fc.jsonValue()),
    notificationChannels: fc.oneof(
      fc.array(fc.record({ channel: fc.oneof(fc.constantFrom('email', 'sms', 'fax'), fc.jsonValue()), dependsOn: fc.jsonValue() }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
      fc.jsonValue(),
    ),
    customers: fc.oneof(fc.array(customer, { maxLength: 3 }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

describe('the graph loader under any input', () => {
  it('YAML or JSON documents of any shape: a graph, or a GraphValidationError listing problems', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            document.map((d) => stringify(d)),
            document.map((d) => JSON.stringify(d)),
            fc.string({ maxLength: 200 }),
            fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (texts) => {
          const builder = new GraphBuilder();
          texts.forEach((text, i) => {
            builder.addText(`g${i}.yaml`, text);
          });
          builtOrProblems(() => builder.build());
        },
      ),
      { numRuns: 600 },
    );
  });

  it('customers.csv and usage.csv of any text: rows, or a GraphValidationError naming the line', async () => {
    const cell = fc.oneof(
      fc.constantFrom('C-1', 'web', 'email', 'sms|email', 'true', '2026-12-05T06:00:00Z', '', '"', '""', ',', '\n', '\r\n', ' '),
      fc.string({ maxLength: 6 }),
    );
    const row = fc.array(cell, { maxLength: 12 }).map((cells) => cells.join(','));
    const file = (header: readonly string[]) =>
      fc.tuple(fc.oneof(fc.constant(header.join(',')), fc.string({ maxLength: 20 })), fc.array(row, { maxLength: 8 }), fc.integer({ min: 1, max: 40 }));
    await fc.assert(
      fc.asyncProperty(file(CUSTOMERS_CSV_HEADER), file(USAGE_CSV_HEADER), async ([cHead, cRows, cChunk], [uHead, uRows, uChunk]) => {
        const builder = new GraphBuilder();
        builder.addText('g.yaml', 'components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]');
        // Delivered in arbitrary chunks: a quote or a line break may fall on any boundary.
        const chunks = (text: string, size: number) => Readable.from(text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? []);
        const read = async (text: string, size: number, header: readonly string[], onRow: (row: string[], line: number) => void) => {
          try {
            await readCsvRows(chunks(text, size), 'f.csv', header, onRow);
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(GraphValidationError);
          }
        };
        await read([cHead, ...cRows].join('\n'), cChunk, CUSTOMERS_CSV_HEADER, (r, line) => builder.addCustomerRow('customers.csv', line, r));
        await read([uHead, ...uRows].join('\n'), uChunk, USAGE_CSV_HEADER, (r, line) => builder.addUsageRow('usage.csv', line, r));
        builtOrProblems(() => builder.build());
      }),
      { numRuns: 500 },
    );
  });
});
