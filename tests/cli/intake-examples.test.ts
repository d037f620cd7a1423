/**
 * The README's intake examples (examples/airline/intake) against the airline graph and impact.local.json:
 * each tool's payload maps to events on the nodes that list its names, so what the README posts works.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { buildIntakeCatalog, mapIntake, type IntakeSource } from '../../functions/domain/intake/index.ts';
import { readLocalIntake } from '../../lib/local/intake.ts';
import { parsedOf } from '../unit/intake/given.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8'));
const { graph } = await loadGraph({ graphFiles: [new URL('examples/airline/graph.yaml', ROOT).pathname] });
const catalog = buildIntakeCatalog([...graph.components.values(), ...graph.touchpoints.values()]);
const local = readLocalIntake(read('impact.local.json').intake);
if (!local.ok) throw new Error(local.problems.join('; '));
const context = { catalog, config: local.intake.config };

describe("the README's intake examples, on the airline graph", () => {
  it.each([
    ['servicenow', 'servicenow-change.json', ['Change Scheduled'], ['ivr-platform']],
    ['pagerduty', 'pagerduty-incident-triggered.json', ['Incident Opened'], ['lounge-access']],
    ['alertmanager', 'alertmanager-firing.json', ['Incident Opened'], ['telephony-carrier']],
    ['jira', 'jira-change.json', ['Change Scheduled'], ['partner-api']],
  ] as const)("given %s's example, then %j on the nodes that list its names", (source, file, detailTypes, nodes) => {
    const events = parsedOf(mapIntake(source as IntakeSource, read(`examples/airline/intake/${file}`), context));
    expect(events.map((e) => e.detailType)).toEqual(detailTypes);
    expect(events[0].source).toBe(source);
    expect((events[0].detail as { impacts: { node: string }[] }).impacts.map((i) => i.node)).toEqual(nodes);
  });

  it('given the AWS Health entry as PutEvents takes it, then an incident degrading the node running on RDS in eu-west-1', () => {
    const [entry] = read('examples/airline/intake/aws-health-entries.json');
    const event = {
      'detail-type': entry.DetailType,
      source: entry.Source,
      time: '2026-12-10T07:52:00Z',
      region: 'eu-west-1',
      detail: JSON.parse(entry.Detail),
    };
    const [opened] = parsedOf(mapIntake('aws-health', event, context));
    expect(opened).toMatchObject({ detailType: 'Incident Opened', detail: { impacts: [{ node: 'crm', effect: 'degraded' }] } });
  });
});
