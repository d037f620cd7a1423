/**
 * A support briefing as it reads in chat, where support teams work: Slack (mrkdwn) or Microsoft Teams
 * (markdown), and the AWS Chatbot custom notification that carries it to either through SNS.
 * Pure text rendering over the Briefing of notices/briefings.ts; the console link is the only input
 * from outside (its base URL). Long lists are cut ("+3 more") so a large incident stays one screen.
 */
import { briefingMessage, type Briefing } from '../notices/briefings.ts';

export const CHAT_DIALECTS = ['slack', 'teams'] as const;
export type ChatDialect = (typeof CHAT_DIALECTS)[number];

export interface ChatOptions {
  /** Base URL of the support console, e.g. https://support.example.com/ */
  consoleUrl: string;
  dialect?: ChatDialect;
}

const MAX_TOUCHPOINTS = 10;
const MAX_SEGMENTS = 8;
const EFFECT_MARK: Record<string, string> = { outage: '🔴', degraded: '🟡' };

/**
 * Where the console shows a subject: the same `#<type>#<id>` anchors the console's own lists link to
 * (subject ids are URL-safe by their pattern; anything else is percent-encoded).
 */
export const subjectLink = (consoleUrl: string, type: string, id: string): string =>
  `${consoleUrl.replace(/#.*$/, '')}#${type}#${id.replace(/[^A-Za-z0-9._:-]/g, (c) => encodeURIComponent(c))}`;

interface Markup {
  bold: (text: string) => string;
  italic: (text: string) => string;
  link: (url: string, text: string) => string;
  quote: (text: string) => string;
  escape: (text: string) => string;
  bullet: string;
  lineBreak: string;
}

const SLACK: Markup = {
  bold: (t) => `*${t}*`,
  italic: (t) => `_${t}_`,
  link: (url, text) => `<${url}|${text}>`,
  quote: (t) =>
    t
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
  // Slack's mrkdwn needs only these three escaped (https://api.slack.com/reference/surfaces/formatting#escaping).
  escape: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  bullet: '•',
  lineBreak: '\n',
};

const TEAMS: Markup = {
  bold: (t) => `**${t}**`,
  italic: (t) => `_${t}_`,
  link: (url, text) => `[${text}](${url})`,
  quote: (t) =>
    t
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
  escape: (t) =>
    t
      .replace(/[\\*_[\]`]/g, '\\$&')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;'),
  bullet: '-',
  // Teams joins single newlines into one paragraph.
  lineBreak: '\n\n',
};

const count = (n: number): string => n.toLocaleString('en-US');

const when = (iso: string | undefined): string => {
  if (iso === undefined) return 'open-ended';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};

/** Largest first, then by name; the rest summed up as "+N more". */
const tally = (counts: Record<string, number>, max: number, m: Markup): string => {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const shown = entries.slice(0, max).map(([k, v]) => `${m.escape(k)} ${count(v)}`);
  const rest = entries.length - max;
  return [...shown, ...(rest > 0 ? [`+${rest} more`] : [])].join(' · ') || 'none';
};

const headline = (b: Briefing, m: Markup): string => {
  const icon = b.subject.type === 'change' ? '🗓️' : '🚨';
  const what = b.subject.type === 'change' ? 'Change' : 'Incident';
  return `${icon} ${m.bold(`${what} ${m.escape(b.subject.id)}${b.subject.title ? `: ${m.escape(b.subject.title)}` : ''}`)}`;
};

/** The parts of a briefing's text, so the chat message and the Chatbot notification arrange them differently. */
const sections = (b: Briefing, opts: ChatOptions, m: Markup) => {
  const tps = b.touchpoints
    .slice(0, MAX_TOUCHPOINTS)
    .map(
      (t) =>
        `${m.bullet} ${EFFECT_MARK[t.effect] ?? '⚪'} ${m.bold(m.escape(t.name ?? t.id))} (${m.escape(t.channel)}): ${m.escape(t.effect)}, ${m.italic(`via ${m.escape(t.why.replace(/ -> /g, ' → '))}`)}`,
    );
  const moreTps = b.touchpoints.length - MAX_TOUCHPOINTS;
  const c = b.customers;
  const reach = c.unreachable > 0 ? `; ${count(c.unreachable)} have no usable channel and were not told` : '';
  return {
    facts: [
      `${m.escape(b.severity)} · ${m.escape(b.subject.status)} · ${m.escape(b.kind)} · region ${m.escape(b.region)} · for ${m.escape(b.team)}`,
      `${m.bold('When:')} ${when(b.subject.window.start)} → ${when(b.subject.window.end)}`,
      `${m.bold(`Touchpoints hit (${count(b.touchpoints.length)}):`)}${b.touchpoints.length === 0 ? ' none' : ''}`,
      ...tps,
      ...(moreTps > 0 ? [`${m.bullet} +${moreTps} more in the console`] : []),
      `${m.bold('Customers affected:')} ${count(c.total)} (${tally(c.byEffect, MAX_SEGMENTS, m)})${reach}`,
      `${m.bold('By segment:')} ${tally(c.bySegment, MAX_SEGMENTS, m)}`,
    ],
    tellCallers: [`${m.bold('Tell callers:')}`, m.quote(m.escape(b.tellCallers))],
    link: m.link(subjectLink(opts.consoleUrl, b.subject.type, b.subject.id), `Open ${m.escape(b.subject.id)} in the support console`),
  };
};

/** The whole briefing as one chat message. */
export const renderChatBriefing = (b: Briefing, opts: ChatOptions): string => {
  const m = opts.dialect === 'teams' ? TEAMS : SLACK;
  const { facts, tellCallers, link } = sections(b, opts, m);
  return [headline(b, m), ...facts, ...tellCallers, link].join(m.lineBreak);
};

/**
 * The AWS Chatbot (Amazon Q Developer in chat applications) custom notification: the SNS message body
 * that a Slack or Teams channel configuration shows. Updates of one subject share a thread.
 */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; additionalContext: Record<string, string> };
}

export const chatbotNotification = (b: Briefing, opts: ChatOptions): ChatbotNotification => {
  const m = opts.dialect === 'teams' ? TEAMS : SLACK;
  const { facts } = sections(b, opts, m);
  const subjectKey = `${b.subject.type}#${b.subject.id}`;
  const plainTitle = `${b.subject.type === 'change' ? 'Change' : 'Incident'} ${b.subject.id}${b.subject.title ? `: ${b.subject.title}` : ''}`;
  return {
    version: '1.0',
    source: 'custom',
    id: `${subjectKey}#${b.kind}#${b.team}`,
    content: {
      textType: 'client-markdown',
      title: headline(b, m),
      description: facts.join(m.lineBreak),
      nextSteps: [
        `Tell callers: ${b.tellCallers}`,
        `Open ${b.subject.id} in the support console: ${subjectLink(opts.consoleUrl, b.subject.type, b.subject.id)}`,
      ],
      keywords: [b.severity, b.kind, b.team, b.region],
    },
    metadata: {
      threadId: subjectKey,
      summary: `${plainTitle} (${b.severity}, ${b.subject.status}): ${b.customers.total} customers affected`,
      eventType: b.kind,
      additionalContext: { team: b.team, region: b.region, subject: subjectKey },
    },
  };
};

/** A chat channel support works in (AWS Chatbot, Slack or Teams), for one team's briefings. */
export interface ChatChannel {
  team: string;
  dialect: ChatDialect;
}

/**
 * The messages of one briefing: the JSON briefing for `support-briefings` (e-mail and webhook subscribers
 * filter it by team; it carries the console link), and the AWS Chatbot notification for each chat channel
 * of the briefing's team. Chatbot takes only its own JSON as the message body and cannot filter what it
 * subscribes to, so each channel has a topic of its own and the team is matched here, as a filter policy
 * on `team` would match it.
 */
export const briefingMessages = <C extends ChatChannel>(briefing: Briefing, text: string, opts: { consoleUrl?: string; channels?: readonly C[] }) => {
  const { body, attributes } = briefingMessage(briefing, text);
  const consoleUrl = opts.consoleUrl ?? '';
  return {
    briefing: { body: { ...body, ...(consoleUrl ? { link: subjectLink(consoleUrl, briefing.subject.type, briefing.subject.id) } : {}) }, attributes },
    chat: (opts.channels ?? [])
      .filter((c) => c.team === briefing.team)
      .map((channel) => ({ channel, body: chatbotNotification(briefing, { consoleUrl, dialect: channel.dialect }), attributes })),
  };
};
