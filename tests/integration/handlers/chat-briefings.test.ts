/**
 * Briefings where support works: notify publishes each team's briefing as JSON on support-briefings (e-mail
 * and webhooks filter it by team) and, for each chat channel of that team (CHAT_CHANNELS), an AWS Chatbot
 * notification on the channel's own topic; both link the subject in the console.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { Topic } from '../../../functions/adapters/sns.ts';
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
  version: '0',
  id: 'e1',
  'detail-type': 'Incident Opened',
  source: 'pagerduty',
  account: '1',
  time: new Date(NOW).toISOString(),
  region: 'eu-west-1',
  resources: [],
  detail: { incidentId: 'PD-1', title: 'Payments down', severity: 'sev1', impacts: [{ node: 'payments-db' }], occurredAt: '2026-11-28T13:59:00Z' },
} as EventBridgeEvent<string, unknown>;

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const chatTopic = (team: string) => `arn:aws:sns:eu-west-1:123456789012:impact-chat-${team}`;
const sns = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

describe('support briefings in chat', () => {
  it("each team's chat channels get its briefing as an AWS Chatbot notification on their own topic; support-briefings keeps the JSON; all link the console", async () => {
    // Prepare
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    await p.deps.graph.import(graph);
    p.deps.settings.consoleUrl = 'https://d111111abcdef8.cloudfront.net/';
    p.deps.supportChat = [
      { team: 'airport-ops', dialect: 'slack', topic: new Topic(sns, chatTopic('airport-ops-slack')) },
      { team: 'airport-ops', dialect: 'teams', topic: new Topic(sns, chatTopic('airport-ops-teams')) },
      { team: 'loyalty', dialect: 'slack', topic: new Topic(sns, chatTopic('loyalty-slack')) },
    ];
    // Act
    await p.ingest(opened, context);
    expect(await p.drain()).toBe(0);
    // Assess
    const on = (arn: string) => p.aws.published.filter((m) => m.topicArn === arn);
    const link = 'https://d111111abcdef8.cloudfront.net/#incident#PD-1';
    expect(
      on(BRIEFINGS)
        .map((b) => b.attributes.team)
        .sort(),
    ).toEqual(['airport-ops', 'digital']);
    expect(on(BRIEFINGS).find((b) => b.attributes.team === 'digital')?.message).toMatchObject({
      subject: { type: 'incident', id: 'PD-1' },
      text: expect.stringContaining('Payments down'),
      link,
    });
    const [slack] = on(chatTopic('airport-ops-slack'));
    expect(slack.attributes).toEqual({ team: 'airport-ops', kind: 'incident-notice', severity: 'sev1', region: 'AMS' });
    expect(slack.message).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: expect.stringContaining('*Incident PD-1'),
        nextSteps: expect.arrayContaining([expect.stringContaining(link)]),
      },
      metadata: { threadId: 'incident#PD-1' },
    });
    expect(on(chatTopic('airport-ops-teams')).map((m) => (m.message as { content: { title: string } }).content.title)).toEqual([
      expect.stringContaining('**Incident PD-1'),
    ]);
    // The loyalty team's touchpoints are not hit: its channel hears nothing.
    expect(on(chatTopic('loyalty-slack'))).toEqual([]);
  });
});
