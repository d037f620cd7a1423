/**
 * Briefings where support works: with chat apps configured (CHAT_FORMATS), notify publishes each team's
 * briefing as JSON for e-mail and webhooks and once per chat app as an AWS Chatbot notification, with the
 * filter attributes and a `format` that the subscriptions select on; both link the subject in the console.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { graphOf } from '../../support/graphs.ts';
import { BRIEFINGS, context, pipeline } from '../../support/pipeline.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const graph = graphOf({
  components: [{ id: 'payments-db', team: 'payments' }],
  touchpoints: [
    { id: 'web', name: 'Website', channel: 'web', team: 'digital', dependsOn: ['payments-db'] },
    { id: 'kiosk', channel: 'kiosk', team: 'airport-ops', region: 'AMS', dependsOn: ['payments-db'] },
  ],
  customers: [{ id: 'C-1', segment: 'gold', contacts: { email: 'c1@example.com' }, uses: ['web', 'kiosk'] }],
});
const opened = {
  version: '0', id: 'e1', 'detail-type': 'Incident Opened', source: 'pagerduty', account: '1', time: new Date(NOW).toISOString(), region: 'eu-west-1', resources: [],
  detail: { incidentId: 'PD-1', title: 'Payments down', severity: 'sev1', impacts: [{ node: 'payments-db' }], occurredAt: '2026-11-28T13:59:00Z' },
} as EventBridgeEvent<string, unknown>;

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('support briefings in chat', () => {
  it('with Slack and Teams in use, each team gets its briefing as JSON and as one Chatbot notification per app, all linking the subject in the console', async () => {
    // Prepare
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    await p.deps.graph.import(graph);
    Object.assign(p.deps.settings, { consoleUrl: 'https://d111111abcdef8.cloudfront.net/', chatDialects: ['slack', 'teams'] });
    // Act
    await p.ingest(opened, context);
    expect(await p.drain()).toBe(0);
    // Assess
    const briefings = p.aws.published.filter((m) => m.topicArn === BRIEFINGS);
    const byTeam = (team: string) => briefings.filter((b) => b.attributes.team === team).map((b) => b.attributes.format).sort();
    expect(byTeam('digital')).toEqual(['briefing', 'slack', 'teams']);
    expect(byTeam('airport-ops')).toEqual(['briefing', 'slack', 'teams']);
    const link = 'https://d111111abcdef8.cloudfront.net/#incident#PD-1';
    const json = briefings.find((b) => b.attributes.team === 'digital' && b.attributes.format === 'briefing')!;
    expect(json.message).toMatchObject({ team: 'digital', subject: { type: 'incident', id: 'PD-1' }, text: expect.stringContaining('Payments down'), link });
    const slack = briefings.find((b) => b.attributes.team === 'airport-ops' && b.attributes.format === 'slack')!;
    expect(slack.attributes).toMatchObject({ kind: 'incident-notice', severity: 'sev1', region: 'AMS' });
    expect(slack.message).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown', nextSteps: expect.arrayContaining([expect.stringContaining(link)]) }, metadata: { threadId: 'incident#PD-1' } });
  });

  it('without chat apps, one JSON briefing per team and nothing else', async () => {
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    await p.deps.graph.import(graph);
    await p.ingest(opened, context);
    expect(await p.drain()).toBe(0);
    const formats = p.aws.published.filter((m) => m.topicArn === BRIEFINGS).map((b) => `${b.attributes.team}:${b.attributes.format}`).sort();
    expect(formats).toEqual(['airport-ops:briefing', 'digital:briefing']);
  });
});
