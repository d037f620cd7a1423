import { describe, expect, it } from 'vitest';
import {
  customersTold,
  isToldKind,
  lastToldChannels,
  noticeRecipients,
  planNotices,
  toldByCustomer,
  TOLD_KINDS,
} from '../../../functions/domain/notices/index.ts';
import { openChange } from '../../support/graphs.ts';

const T0 = Date.UTC(2026, 11, 5);
const sent = (customerId: string, kind: string, version: number, channel: string, sentAt: number) => ({ customerId, kind, version, channel, sentAt });

describe('who was told about a subject (one list of kinds, TOLD_KINDS)', () => {
  it('given the ledger of a change, when asking who was told, then change notices and updates count and reminders do not', () => {
    // Given
    const ledger = [
      sent('C-1', 'change-notice', 1, 'email', 1),
      sent('C-2', 'change-update', 2, 'sms', 2),
      sent('C-3', 'reminder', 1024, 'email', 3),
      sent('C-4', 'all-clear', 2, 'email', 4),
    ];
    // When
    const told = customersTold(ledger, 'change');
    // Then
    expect([...told].sort()).toEqual(['C-1', 'C-2']);
    expect(isToldKind('change', 'reminder')).toBe(false);
    expect(isToldKind('incident', 'incident-notice')).toBe(true);
    expect(TOLD_KINDS.incident).toEqual(['incident-notice']);
  });

  it('given a customer who only got a reminder, when the change is cancelled, then the planner does not count them as told either', () => {
    // Given
    const ledger = [sent('C-1', 'change-notice', 1, 'email', 1), sent('C-3', 'reminder', 1024, 'email', 3)];
    // When
    const plan = planNotices({
      state: { ...openChange([], { start: T0, end: T0 + 1 }), status: 'cancelled' },
      affected: [],
      told: toldByCustomer(ledger),
      at: T0,
    });
    // Then: the same customers as customersTold
    expect(plan.map((n) => n.customerId)).toEqual([...customersTold(ledger, 'change')]);
  });

  it('given notices on several channels, when asking for the last channel, then the latest notice of any kind decides', () => {
    const channels = lastToldChannels([
      sent('C-1', 'change-notice', 1, 'sms', 10),
      sent('C-1', 'reminder', 1024, 'email', 20),
      sent('C-2', 'change-notice', 1, 'fax', 5),
    ]);
    expect(channels).toEqual(new Map([['C-1', 'email']]));
  });
});

describe('who gets a notice, and on which channel', () => {
  const recipients = noticeRecipients({
    affected: [
      { id: 'C-1', notify: ['sms'], touchpoints: ['web', 'app'] },
      { id: 'C-2', notify: [], touchpoints: ['kiosk'] },
      { id: 'C-9', notify: ['pigeon', 'push'], touchpoints: ['app'] },
    ],
    profiles: [{ locale: 'nl-NL', timeZone: 'Europe/Amsterdam', segment: 'gold' }, undefined, undefined],
    before: [{ customerId: 'C-3', touchpoints: ['ivr'], locale: 'en-GB', segment: 'basic' }],
    sent: [sent('C-1', 'change-notice', 1, 'email', 1), sent('C-3', 'change-notice', 1, 'email', 1), sent('C-3', 'change-update', 2, 'sms', 5)],
  });

  it('given a customer affected now, then the notice goes on the channel the assessment chose, about the touchpoints hit now', () => {
    expect(recipients('C-1')).toEqual({
      channel: 'sms',
      touchpoints: ['web', 'app'],
      profile: { locale: 'nl-NL', timeZone: 'Europe/Amsterdam', segment: 'gold' },
    });
  });

  it('given an affected customer with no usable channel, then there is no channel (unreachable, still counted)', () => {
    expect(recipients('C-2')).toEqual({ touchpoints: ['kiosk'] });
  });

  it('given a stored channel list with a word that is not a channel, then the first real channel is used', () => {
    expect(recipients('C-9').channel).toBe('push');
  });

  it('given a customer no longer affected, then the notice goes on the channel they were last told on, about what they had', () => {
    expect(recipients('C-3')).toEqual({
      channel: 'sms',
      touchpoints: ['ivr'],
      profile: { customerId: 'C-3', touchpoints: ['ivr'], locale: 'en-GB', segment: 'basic' },
    });
  });

  it('given a customer never told and not affected, then there is no channel and no touchpoint', () => {
    expect(recipients('C-404')).toEqual({ touchpoints: [] });
  });
});
