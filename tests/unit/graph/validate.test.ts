import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import {
  GraphBuilder,
  GraphValidationError,
  formatProblem,
  parseGraphDocuments,
  readCsvRows,
  findCycles,
  CUSTOMERS_CSV_HEADER,
  USAGE_CSV_HEADER,
} from '../../../functions/domain/graph/index.ts';

const problemsOf = (docs: { file: string; text: string }[]) => {
  try {
    parseGraphDocuments(docs);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphValidationError);
    return (error as GraphValidationError).problems;
  }
  throw new Error('expected the graph to be rejected');
};

describe('graph files: parsing', () => {
  it('reads YAML with hard, soft and anyOf dependencies, and JSON the same way', () => {
    const yaml = `
components:
  - { id: db, team: payments }
  - { id: dc-east }
  - { id: dc-west }
  - id: api
    dependsOn: [db, { id: fraud, type: soft }, { anyOf: [dc-east, dc-west] }, { anyOf: [dc-east], type: soft }]
  - { id: fraud }
touchpoints:
  - { id: web, channel: web, region: NL, dependsOn: [api] }
notificationChannels:
  - { channel: sms, dependsOn: [dc-east] }
`;
    const { graph } = parseGraphDocuments([{ file: 'g.yaml', text: yaml }]);
    expect(graph.components.get('api')?.dependsOn).toEqual([
      { kind: 'node', id: 'db', soft: false },
      { kind: 'node', id: 'fraud', soft: true },
      { kind: 'anyOf', ids: ['dc-east', 'dc-west'], soft: false },
      { kind: 'anyOf', ids: ['dc-east'], soft: true },
    ]);
    expect(graph.touchpoints.get('web')).toMatchObject({ channel: 'web', region: 'NL' });
    const json = JSON.stringify({ components: [{ id: 'x' }], touchpoints: [{ id: 't', channel: 'kiosk', dependsOn: ['x'] }] });
    expect(parseGraphDocuments([{ file: 'g.json', text: json }]).graph.touchpoints.get('t')?.dependsOn).toEqual([{ kind: 'node', id: 'x', soft: false }]);
  });

  it('merges several files, and inline customers with time-windowed uses', () => {
    const { graph } = parseGraphDocuments([
      { file: 'a.yaml', text: 'components: [{ id: db }]' },
      {
        file: 'b.yaml',
        text: `touchpoints: [{ id: kiosk, channel: kiosk, dependsOn: [db] }]
customers:
  - id: C-1
    channels: [sms, email]
    contacts: { email: a@example.com }
    uses: [kiosk, { touchpoint: kiosk, from: "2026-12-05T06:00:00Z", to: "2026-12-05T09:00:00Z" }]`,
      },
    ]);
    expect(graph.customers.get('C-1')).toMatchObject({ channels: ['sms', 'email'], optOut: false });
    expect(graph.usagesByTouchpoint.get('kiosk')).toEqual([
      { customerId: 'C-1', touchpoint: 'kiosk', ordinal: 0 },
      { customerId: 'C-1', touchpoint: 'kiosk', from: Date.parse('2026-12-05T06:00:00Z'), to: Date.parse('2026-12-05T09:00:00Z'), ordinal: 0 },
    ]);
  });

  it('cycles are allowed and reported for a warning', () => {
    const { warnings, graph } = parseGraphDocuments([
      { file: 'g.yaml', text: 'components: [{ id: a, dependsOn: [b] }, { id: b, dependsOn: [a] }, { id: c, dependsOn: [c] }, { id: d, dependsOn: [a] }]' },
    ]);
    expect(findCycles(graph)).toEqual([
      { path: ['a', 'b'], others: [] },
      { path: ['c'], others: [] },
    ]);
    expect(warnings).toEqual([expect.stringContaining('a -> b -> a'), expect.stringContaining('c -> c')]);
  });

  it('given a -> c -> b -> a, when the cycle is reported, then it reads along the dependsOn edges', () => {
    // Given: a depends on c, c on b, b on a (sorted ids would read a -> b -> c, which is no path)
    const { warnings, graph } = parseGraphDocuments([
      { file: 'g.yaml', text: 'components: [{ id: a, dependsOn: [c] }, { id: b, dependsOn: [a] }, { id: c, dependsOn: [b] }]' },
    ]);
    // When / then: every step of the cycle is a dependsOn edge of the graph
    expect(findCycles(graph)).toEqual([{ path: ['a', 'c', 'b'], others: [] }]);
    expect(warnings).toEqual([expect.stringContaining('dependency cycle: a -> c -> b -> a ')]);
  });

  it('given a cycle group with a branch, when reported, then the cycle is a real path and the other members are named', () => {
    // Given: a -> b -> a and b -> d -> b (one strongly connected group of three), anyOf members count as edges
    const text =
      'components: [{ id: a, dependsOn: [b] }, { id: b, dependsOn: [a, { anyOf: [d, x] }] }, { id: d, dependsOn: [{ id: b, type: soft }] }, { id: x }]';
    const { warnings, graph } = parseGraphDocuments([{ file: 'g.yaml', text }]);
    const [{ path: cycle }] = findCycles(graph);
    const edges = new Set(['a>b', 'b>a', 'b>d', 'b>x', 'd>b']);
    // Then: each step follows an edge, the cycle closes, and the group's other member is listed
    expect(cycle.every((node, i) => edges.has(`${node}>${cycle[(i + 1) % cycle.length]}`))).toBe(true);
    expect(cycle[0]).toBe('a');
    expect(warnings[0]).toMatch(/^dependency cycle: a -> b -> a \(also in this cycle group: d\)/);
  });
});

describe('graph files: validation reports every problem at once, with file, path and id', () => {
  it('repeated ids, unknown dependsOn, usage of a non-touchpoint, bad channel, bad time, bad id', () => {
    const problems = problemsOf([
      { file: 'a.yaml', text: 'components: [{ id: db }, { id: api, dependsOn: [db, ghost] }]' },
      {
        file: 'b.yaml',
        text: `components: [{ id: db }]
touchpoints: [{ id: web, channel: web, dependsOn: [{ anyOf: [api, nowhere] }] }]
customers:
  - { id: C-1, uses: [db, { touchpoint: web, from: "next tuesday" }] }`,
      },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'b.yaml', path: 'components[0]', id: 'db', message: expect.stringContaining('repeats') }),
        expect.objectContaining({ file: 'a.yaml', path: 'components[1].dependsOn[1]', id: 'api', message: expect.stringContaining('"ghost"') }),
        expect.objectContaining({ file: 'b.yaml', path: 'touchpoints[0].dependsOn[0]', id: 'web', message: expect.stringContaining('"nowhere"') }),
        expect.objectContaining({
          file: 'b.yaml',
          path: 'customers[0].uses[0]',
          id: 'C-1',
          message: expect.stringContaining('is a component, not a touchpoint'),
        }),
        expect.objectContaining({ file: 'b.yaml', path: 'customers[0].uses[1].from', id: 'C-1', message: expect.stringContaining('does not parse') }),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('unknown channel and effect words, unknown fields and bad ids are named with their path', () => {
    const problems = problemsOf([
      {
        file: 'g.yaml',
        text: `touchpoints: [{ id: web, channel: website }]
notificationChannels: [{ channel: fax }]
components: [{ id: "bad id" }, { id: ok, dependOn: [web] }, { id: x, dependsOn: [{ id: ok, type: weak }] }]`,
      },
    ]);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(formatProblem(byPath['touchpoints[0].channel'])).toBe(
      'g.yaml: touchpoints[0].channel (web): "website" is not a channel; use one of web, mobile, kiosk, terminal, ivr, api, branch, contact-center, other',
    );
    expect(byPath['notificationChannels[0].channel'].message).toBe('"fax" is not a notification channel; use one of email, sms, push');
    expect(byPath['components[0].id'].message).toBe('"bad id" is not a valid id; ids match ^[A-Za-z0-9._:-]{1,128}$ (letters, digits, . _ : -, 1-128 chars)');
    expect(byPath['components[1]']).toMatchObject({ id: 'ok', message: expect.stringContaining('unknown field(s) dependOn') });
    expect(byPath['components[2].dependsOn[0]']).toMatchObject({
      id: 'x',
      message: expect.stringMatching(/^\{"id":"ok","type":"weak"\} is not a dependency; use a node id/),
    });
  });

  it('given values of the wrong kind, then each message names the value and the fix', () => {
    const problems = problemsOf([
      {
        file: 'g.yaml',
        text: 'components: [{ id: 42, team: [a] }]\ntouchpoints: web\ncustomers: [{ id: C-1, optOut: maybe, quietHours: { start: "25:00", end: "07:00" }, contacts: { email: 12345 } }]',
      },
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'g.yaml: components[0].id: 42 is not an id; ids match ^[A-Za-z0-9._:-]{1,128}$ (letters, digits, . _ : -, 1-128 chars)',
      'g.yaml: components[0].team: ["a"] is not text; give the team as a string',
      'g.yaml: touchpoints: "web" is not a list; give touchpoints as a list',
      'g.yaml: customers[0].contacts.email (C-1): is not text; give the e-mail address as a string',
      'g.yaml: customers[0].optOut (C-1): "maybe" is not true or false; use true or false',
      'g.yaml: customers[0].quietHours.start (C-1): "25:00" is not a time of day; use HH:MM (24 h), e.g. "22:00"',
    ]);
  });

  it('given an empty graph file, when validated, then it is refused: there is nothing in it', () => {
    for (const text of ['', '# only a comment\n', '{}', 'components: []\ntouchpoints: []']) {
      const problems = problemsOf([{ file: 'empty.yaml', text }]);
      expect(problems, JSON.stringify(text)).toEqual([
        {
          file: 'empty.yaml',
          path: '(file)',
          message: expect.stringMatching(/^the file defines nothing: no components, touchpoints, notification channels or customers; /),
        },
      ]);
    }
    // A file that only adds customers to another file's touchpoints defines something.
    expect(() =>
      parseGraphDocuments([
        { file: 'a.yaml', text: 'touchpoints: [{ id: t, channel: web }]' },
        { file: 'b.yaml', text: 'customers: [{ id: C-1, uses: [t] }]' },
      ]),
    ).not.toThrow();
  });

  it('given tool names on nodes, then they are kept on components and touchpoints', () => {
    const { graph } = parseGraphDocuments([
      {
        file: 'g.yaml',
        text: `components:
  - { id: db, ci: [a1b2c3, payments-db-01], alarms: [db-cpu], awsHealth: [{ service: RDS, region: eu-west-1 }] }
touchpoints:
  - { id: web, channel: web, dependsOn: [db], services: [PWEB123], alerts: [WebDown, { alertname: HighLatency, service: web }] }`,
      },
    ]);
    expect(graph.components.get('db')).toMatchObject({
      ci: ['a1b2c3', 'payments-db-01'],
      alarms: ['db-cpu'],
      awsHealth: [{ service: 'RDS', region: 'eu-west-1' }],
    });
    expect(graph.touchpoints.get('web')).toMatchObject({ services: ['PWEB123'], alerts: ['WebDown', { alertname: 'HighLatency', service: 'web' }] });
  });

  it('given bad tool names, then each is reported once, with the file, the node, the value and the fix', () => {
    const problems = problemsOf([
      { file: 'ok.yaml', text: 'components: [{ id: db }]' },
      {
        file: 'names.yaml',
        text: `components:
  - { id: api, dependsOn: [db], ci: "a1b2c3", awsHealth: [{ service: RDS, region: Ireland }] }
touchpoints:
  - { id: web, channel: web, dependsOn: [api], alerts: [{ "bad-label": x }], servicez: [P1] }`,
      },
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'names.yaml: components[0].ci (api): "a1b2c3" must be a list of ServiceNow CI sys_ids or names',
      expect.stringMatching(/^names\.yaml: components\[0\]\.awsHealth\[0\]\.region \(api\): "Ireland" must be an AWS Region such as eu-west-1/),
      expect.stringMatching(/^names\.yaml: touchpoints\[0\]\.alerts\[0\] \(web\): \{"bad-label":"x"\} must be an alert name \("DiskFull"\) or labels/),
      'names.yaml: touchpoints[0] (web): unknown field(s) servicez; remove or rename them',
    ]);
  });

  it('a file that is not YAML is a problem of that file, the others are still checked', () => {
    const problems = problemsOf([
      { file: 'broken.yaml', text: 'components: [ { id: a' },
      { file: 'ok.yaml', text: 'touchpoints: [{ id: t, channel: web, dependsOn: [zz] }]' },
    ]);
    expect(problems.map((p) => p.file)).toEqual(['broken.yaml', 'ok.yaml']);
  });
});

const csvStream = (text: string) => Readable.from([Buffer.from(text)]);

describe('customers.csv and usage.csv, streamed', () => {
  const base = () => {
    const builder = new GraphBuilder();
    builder.addText('g.yaml', 'components: [{ id: db }]\ntouchpoints: [{ id: kiosk, channel: kiosk, dependsOn: [db] }]');
    return builder;
  };
  const customers = `${CUSTOMERS_CSV_HEADER.join(',')}
C-1,gold,nl-NL,Europe/Amsterdam,a@example.com,+31600000001,,sms|email,false,22:00,07:00
C-2,,,,,,,,,,
`;

  it('reads customers with channels, opt-out and quiet hours, and indexes usages by touchpoint', async () => {
    const builder = base();
    await readCsvRows(csvStream(customers), 'customers.csv', CUSTOMERS_CSV_HEADER, (row, line) => builder.addCustomerRow('customers.csv', line, row));
    const usage = `${USAGE_CSV_HEADER.join(',')}\nC-1,kiosk,2026-12-05T06:00:00Z,2026-12-05T09:00:00Z\nC-2,kiosk,,\n`;
    await readCsvRows(csvStream(usage), 'usage.csv', USAGE_CSV_HEADER, (row, line) => builder.addUsageRow('usage.csv', line, row));
    const { graph } = builder.build();
    expect(graph.customers.get('C-1')).toEqual({
      id: 'C-1',
      segment: 'gold',
      locale: 'nl-NL',
      timeZone: 'Europe/Amsterdam',
      contacts: { email: 'a@example.com', phone: '+31600000001' },
      channels: ['sms', 'email'],
      optOut: false,
      quietHours: { start: '22:00', end: '07:00' },
    });
    expect(graph.customers.get('C-2')).toEqual({ id: 'C-2', contacts: {}, channels: ['email'], optOut: false });
    expect(graph.usagesByTouchpoint.get('kiosk')?.map((u) => u.customerId)).toEqual(['C-1', 'C-2']);
  });

  it('every bad row is reported with its line number', async () => {
    const builder = base();
    const badCustomers = `${CUSTOMERS_CSV_HEADER.join(',')}\nC-1,,,Mars/Base,,,,fax,maybe,,\nC-2,,,,,,,,,,\n`;
    await readCsvRows(csvStream(badCustomers), 'customers.csv', CUSTOMERS_CSV_HEADER, (row, line) => builder.addCustomerRow('customers.csv', line, row));
    const usage = `${USAGE_CSV_HEADER.join(',')}\nC-2,db,,\nC-9,kiosk,,\nC-2,kiosk,yesterday,\n`;
    await readCsvRows(csvStream(usage), 'usage.csv', USAGE_CSV_HEADER, (row, line) => builder.addUsageRow('usage.csv', line, row));
    const error = (() => {
      try {
        builder.build();
      } catch (e) {
        return e as GraphValidationError;
      }
      throw new Error('expected problems');
    })();
    expect(error.problems.map(formatProblem)).toEqual([
      'customers.csv: line 2.channels (C-1): "fax" is not a notification channel; use email, sms, push separated by |',
      'customers.csv: line 2.optOut (C-1): "maybe" is not true or false; use true or false (yes/no, 1/0; empty is false)',
      'usage.csv: line 2.touchpoint (C-2): "db" is a component, not a touchpoint; customers use touchpoints',
      'usage.csv: line 3.customerId (C-9): unknown customer "C-9"; add it to customers.csv or the graph file',
      'usage.csv: line 4.from (C-2): "yesterday" is not a time (it does not parse); use ISO 8601 such as 2026-12-05T06:00:00Z',
    ]);
  });

  it('given usage.csv holding the same row twice, when built, then the usage is there once and a warning says so', async () => {
    // Given: C-1 uses the kiosk in one window, the row repeated (as exports often do), plus a second, other window
    const builder = base();
    await readCsvRows(csvStream(customers), 'customers.csv', CUSTOMERS_CSV_HEADER, (row, line) => builder.addCustomerRow('customers.csv', line, row));
    const row = 'C-1,kiosk,2026-12-05T06:00:00Z,2026-12-05T09:00:00Z';
    const usage = `${USAGE_CSV_HEADER.join(',')}\n${row}\nC-2,kiosk,,\n${row}\nC-1,kiosk,2026-12-05T06:00:00.000Z,2026-12-05T09:00:00Z\nC-1,kiosk,2026-12-06T06:00:00Z,2026-12-06T09:00:00Z\nC-2,kiosk,,\n`;
    await readCsvRows(csvStream(usage), 'usage.csv', USAGE_CSV_HEADER, (r, line) => builder.addUsageRow('usage.csv', line, r));
    // When
    const { graph, warnings } = builder.build();
    // Then: one usage per (customer, touchpoint, window); the same instant spelt two ways is the same window
    expect(graph.usagesByTouchpoint.get('kiosk')?.map((u) => [u.customerId, u.from, u.to])).toEqual([
      ['C-1', Date.parse('2026-12-05T06:00:00Z'), Date.parse('2026-12-05T09:00:00Z')],
      ['C-2', undefined, undefined],
      ['C-1', Date.parse('2026-12-06T06:00:00Z'), Date.parse('2026-12-06T09:00:00Z')],
    ]);
    expect(warnings).toEqual(['3 repeated usages (same customer, touchpoint and window) counted once']);
  });

  it('a wrong header is refused with the expected header in the message', async () => {
    await expect(readCsvRows(csvStream('id,name\nC-1,x\n'), 'customers.csv', CUSTOMERS_CSV_HEADER, () => {})).rejects.toThrow(
      /it must be exactly "id,segment,locale,timeZone/,
    );
  });

  it('reads a file delivered in many small chunks without holding it whole', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `C-${i},,,,,,,,,,`).join('\n');
    const text = `${CUSTOMERS_CSV_HEADER.join(',')}\n${rows}\n`;
    const chunks = text.match(/[\s\S]{1,37}/g)!.map((c) => Buffer.from(c));
    let seen = 0;
    const count = await readCsvRows(Readable.from(chunks), 'c.csv', CUSTOMERS_CSV_HEADER, () => seen++);
    expect([count, seen]).toEqual([2000, 2000]);
  });
});
