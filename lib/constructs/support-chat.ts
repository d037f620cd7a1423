/**
 * Briefings where support works: a Slack or Microsoft Teams channel per team, through AWS Chatbot
 * (Amazon Q Developer in chat applications). Chatbot subscribes to the topics a channel configuration
 * lists and takes no filter policy on that subscription, so each channel gets a topic of its own and
 * notify publishes there only the briefings of the channel's team (functions/domain/chat/briefing.ts),
 * as the custom-notification JSON Chatbot shows. Channels may only read: the guardrail is the
 * ReadOnlyAccess managed policy, and the channel role has no permissions at all (nobody runs commands).
 */
import { CfnMicrosoftTeamsChannelConfiguration, LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ChatDialect } from '../../functions/domain/chat/briefing.ts';
import type { TeamSubscription } from './messaging.ts';

export interface SupportChatProps {
  /** Encrypts the channels' topics. */
  readonly key: IKey;
  /** The teams' subscriptions; the `slack` and `teams` ones become channels here. */
  readonly teamSubscriptions: readonly TeamSubscription[];
  /** Prefixes the channel configurations' names, which are physical (Chatbot requires a name). */
  readonly namePrefix: string;
}

/** A team's chat channel as notify sees it: the team, the app's markup, the topic to publish to. */
export interface ChatChannelTopic {
  readonly team: string;
  readonly dialect: ChatDialect;
  readonly topic: Topic;
}

/** Chatbot configuration names: 1-128 of letters, digits, - and _. */
const configurationName = (prefix: string, team: string, dialect: ChatDialect, n: number) =>
  `${prefix}${team}-${dialect}${n > 0 ? `-${n + 1}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);

export class SupportChat extends Construct {
  readonly channels: ChatChannelTopic[] = [];

  constructor(scope: Construct, id: string, props: SupportChatProps) {
    super(scope, id);
    const chat = props.teamSubscriptions.filter((s): s is Extract<TeamSubscription, { slack: unknown } | { teams: unknown }> => 'slack' in s || 'teams' in s);
    if (chat.length === 0) return;
    const readOnly = ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    // Chatbot assumes this role only for commands typed in the channel; it grants nothing, and the guardrail caps it at read-only.
    const role = new Role(this, 'ChannelRole', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot channels of the support teams: no permissions (briefings only)',
    });
    const seen = new Map<string, number>();
    for (const sub of chat) {
      const dialect: ChatDialect = 'slack' in sub ? 'slack' : 'teams';
      const key = `${sub.team}/${dialect}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const id = `${sub.team}-${dialect}-${n}`.replace(/[^A-Za-z0-9-]/g, '-');
      const topic = new Topic(this, `Topic-${id}`, { displayName: `support-briefings ${sub.team} (${dialect})`, masterKey: props.key, enforceSSL: true });
      const name = configurationName(props.namePrefix, sub.team, dialect, n);
      if ('slack' in sub) {
        new SlackChannelConfiguration(this, `Slack-${id}`, {
          slackChannelConfigurationName: name,
          slackWorkspaceId: sub.slack.workspaceId,
          slackChannelId: sub.slack.channelId,
          notificationTopics: [topic],
          guardrailPolicies: [readOnly],
          role,
          loggingLevel: LoggingLevel.ERROR,
        });
      } else {
        new CfnMicrosoftTeamsChannelConfiguration(this, `Teams-${id}`, {
          configurationName: name,
          teamId: sub.teams.teamId,
          teamsChannelId: sub.teams.channelId,
          teamsTenantId: sub.teams.tenantId,
          iamRoleArn: role.roleArn,
          snsTopicArns: [topic.topicArn],
          guardrailPolicies: [readOnly.managedPolicyArn],
          loggingLevel: 'ERROR',
        });
      }
      this.channels.push({ team: sub.team, dialect, topic });
    }
  }
}
