import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import {
  ApprovalPolicyError,
  SEND_EVERYTHING,
  heldNotices,
  isHeld,
  mayBeHeld,
  noticeMode,
  parseApprovalPolicy,
  previewGroups,
  renderNoticeWith,
  type JobSource,
  type PlannedNotice,
} from '../../../functions/domain/notices/index.ts';
import { initialSubject } from '../../../functions/domain/subject.ts';
import { openChange } from '../../support/graphs.ts';

const T0 = Date.UTC(2026, 11, 5);
const H = 3_600_000;
const change = (over: Partial<SubjectState> = {}): SubjectState => ({
  ...openChange([{ node: 'kiosk', effect: 'outage' }], { start: T0 + 2 * H, end: T0 + 4 * H }),
  title: 'Kiosk patch',
  ...over,
});
const incident = (severity: SubjectState['severity'], over: Partial<SubjectState> = {}): SubjectState => ({
  ...initialSubject('incident', 'INC-1'),
  opened: true,
  status: 'open',
  severity,
  scopeVersion: 1,
  ...over,
});
const policy = parseApprovalPolicy('{"sev1":"send","sev2":"send","sev3":"draft","sev4":"draft","change":"draft"}');

describe('the approval policy (configuration)', () => {
  it('given nothing configured, then everything is sent (the behaviour before approvals)', () => {
    expect(parseApprovalPolicy(undefined)).toEqual(SEND_EVERYTHING);
    expect(parseApprovalPolicy('  ')).toEqual(SEND_EVERYTHING);
  });

  it('given some keys, then the others send', () => {
    expect(parseApprovalPolicy('{"change":"draft"}')).toEqual({ ...SEND_EVERYTHING, change: 'draft' });
  });

  it('given a bad value, an unknown key or no JSON, then the error names the key, the value and the fix', () => {
    expect(() => parseApprovalPolicy('{"sev3":"later"}')).toThrow(ApprovalPolicyError);
    expect(() => parseApprovalPolicy('{"sev3":"later"}')).toThrow('sev3: "later" is not an approval choice; use "send" or "draft"');
    expect(() => parseApprovalPolicy('{"sev5":"draft"}')).toThrow('sev5: not a policy key; use sev1, sev2, sev3, sev4, change');
    expect(() => parseApprovalPolicy('sev3=draft')).toThrow(/not JSON .*give an object such as/);
  });
});

describe('held or sent', () => {
  it('given the policy holds sev3 and changes, then a new sev3 incident and a new change are held, a sev1 incident is not', () => {
    expect(isHeld({ state: incident('sev3'), policy, anythingSent: false })).toBe(true);
    expect(isHeld({ state: change(), policy, anythingSent: false })).toBe(true);
    expect(isHeld({ state: incident('sev1'), policy, anythingSent: false })).toBe(false);
  });

  it('given a held sev3 incident raised to sev1, then it is sent at once (the policy decides on the subject as it is now)', () => {
    expect(isHeld({ state: incident('sev1', { severity: 'sev1' }), policy, anythingSent: false })).toBe(false);
  });

  it('given a subject approved, told before, or opened with notify true, then the policy no longer holds it', () => {
    expect(isHeld({ state: change({ approved: { at: T0, news: false } }), policy, anythingSent: false })).toBe(false);
    expect(isHeld({ state: change(), policy, anythingSent: true })).toBe(false);
    expect(isHeld({ state: change({ sendChosen: true }), policy, anythingSent: false })).toBe(false);
  });

  it('given an explicit draft, then it is held whatever the policy says and whatever was sent, until approved', () => {
    expect(isHeld({ state: incident('sev1', { draft: { since: T0 } }), policy: SEND_EVERYTHING, anythingSent: true })).toBe(true);
  });

  it('given an event with notify false, then its notices are silent, even for a held subject', () => {
    expect(noticeMode({ state: change({ draft: { since: T0 } }), notify: false, policy, anythingSent: false })).toBe('silent');
    expect(noticeMode({ state: change({ draft: { since: T0 } }), notify: undefined, policy, anythingSent: false })).toBe('hold');
    expect(noticeMode({ state: change(), notify: undefined, policy: SEND_EVERYTHING, anythingSent: false })).toBe('send');
  });
});

describe('whether a held plan can exist (so a sending subject clears it)', () => {
  it('given a subject never drafted under a policy that holds nothing, then none can; drafted, approved, or under a holding policy, one can', () => {
    expect(mayBeHeld(change(), SEND_EVERYTHING)).toBe(false);
    expect(mayBeHeld(change({ draft: { since: T0 } }), SEND_EVERYTHING)).toBe(true);
    expect(mayBeHeld(change({ approved: { at: T0, news: false } }), SEND_EVERYTHING)).toBe(true);
    expect(mayBeHeld(change(), policy)).toBe(true);
  });
});

describe('a held plan: counts to keep, groups to preview', () => {
  const plan: PlannedNotice[] = [
    { customerId: 'C-1', kind: 'change-notice', version: 1, effect: 'outage' },
    { customerId: 'C-2', kind: 'change-notice', version: 1, effect: 'outage' },
    { customerId: 'C-3', kind: 'change-notice', version: 1, effect: 'degraded' },
    { customerId: 'C-4', kind: 'change-notice', version: 1, effect: 'outage' },
    { customerId: 'C-5', kind: 'all-clear', version: 1, effect: 'none' },
  ];
  const recipients: Record<string, ReturnType<JobSource['customer']>> = {
    'C-1': { channel: 'sms', touchpoints: ['kiosk'], profile: { locale: 'nl-NL', timeZone: 'Europe/Amsterdam' } },
    'C-2': { channel: 'sms', touchpoints: ['kiosk'], profile: { locale: 'nl-NL', timeZone: 'Europe/Amsterdam' } },
    'C-3': { channel: 'email', touchpoints: ['kiosk'], profile: { locale: 'en-GB' } },
    'C-4': { touchpoints: ['kiosk'] },
    'C-5': { channel: 'email', touchpoints: [] },
  };
  const source: JobSource = { state: change(), subjectKey: 'change#CHG-1', touchpointNames: { kiosk: 'Check-in kiosks' }, customer: (id) => recipients[id] };

  it('given a plan, then the kept counts are per kind, with distinct and unreachable customers', () => {
    expect(heldNotices(plan, source, { subjectKey: 'change#CHG-1', since: T0, eventVersion: 1 })).toEqual({
      subjectKey: 'change#CHG-1',
      since: T0,
      eventVersion: 1,
      byKind: { 'change-notice': 4, 'all-clear': 1 },
      customers: 5,
      unreachable: 1,
    });
  });

  it('given a plan, then the preview has one group per kind, locale, channel and effect, each with its count and what to render', () => {
    const groups = previewGroups(plan, source);
    expect(groups.map((g) => [g.kind, g.locale, g.channel, g.effect, g.count])).toEqual([
      ['change-notice', 'nl-NL', 'sms', 'outage', 2],
      ['change-notice', 'en-GB', 'email', 'degraded', 1],
      ['all-clear', 'en', 'email', 'none', 1],
    ]);
    const dutch = renderNoticeWith(loadTemplates(), groups[0].kind, groups[0].locale, groups[0].context);
    expect(dutch.title).toBe('Gepland onderhoud: Kiosk patch');
    expect(dutch.text).toContain('Check-in kiosks');
  });
});
