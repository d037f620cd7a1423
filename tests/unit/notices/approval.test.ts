import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import {
  ApprovalPolicyError,
  SEND_EVERYTHING,
  MAX_HELD_GROUPS,
  heldGroups,
  heldPreviewGroups,
  mergeHeldGroups,
  isHeld,
  mayBeHeld,
  noticeMode,
  parseApprovalPolicy,
  previewGroups,
  renderNoticeWith,
  type HeldGroup,
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

describe('a held plan: groups to keep and preview', () => {
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

  it('given a plan, then the groups kept have no context, the smallest customer id of each as its sample, and render as the preview does', () => {
    const kept = heldGroups([...plan].reverse(), source.customer);
    expect(kept.truncated).toBe(false);
    expect(kept.groups.map((g) => [g.kind, g.locale, g.channel, g.effect, g.count, g.sampleCustomerId])).toEqual([
      ['change-notice', 'nl-NL', 'sms', 'outage', 2, 'C-1'],
      ['change-notice', 'en-GB', 'email', 'degraded', 1, 'C-3'],
      ['all-clear', 'en', 'email', 'none', 1, 'C-5'],
    ]);
    expect(kept.groups.every((g) => !('context' in g))).toBe(true);
    // The samples' stored impacts (C-5 is no longer affected: it has none) give the contexts the preview builds.
    const stored = [
      { customerId: 'C-1', touchpoints: ['kiosk'], locale: 'nl-NL', timeZone: 'Europe/Amsterdam' },
      { customerId: 'C-3', touchpoints: ['kiosk'], locale: 'en-GB' },
    ];
    expect(heldPreviewGroups(kept.groups, source, stored)).toEqual(previewGroups(plan, source));
  });
});

describe('preview groups kept across planner shards', () => {
  const KINDS = ['change-notice', 'change-update', 'all-clear'] as const;
  const LOCALES = ['de-DE', 'en-GB', 'fr-FR', 'nl-NL', 'es-ES', 'it-IT', 'pl-PL', 'sv-SE', 'da-DK', 'pt-PT'];
  const CHANNELS = ['email', 'sms', 'push'] as const;
  const EFFECTS = ['outage', 'degraded'] as const;
  /** A plan of customers C-<n> whose locale, channel and effect follow from n (so the same customer is the same everywhere). */
  const customer = (id: string): ReturnType<JobSource['customer']> => {
    const n = Number(id.slice(2));
    return { channel: CHANNELS[n % 3], touchpoints: ['kiosk'], profile: { locale: LOCALES[n % LOCALES.length] } };
  };
  const notice = ([n, k]: [number, number]): PlannedNotice => ({ customerId: `C-${n}`, kind: KINDS[k], version: 1, effect: EFFECTS[n % 2] });
  const plans = fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 2 })), { maxLength: 400 }).chain((pairs) => {
    const unique = [...new Map(pairs.map((p) => [`${p[0]}/${p[1]}`, p])).values()].map(notice);
    return fc.tuple(fc.constant(unique), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: unique.length, maxLength: unique.length }));
  });

  it('given a plan split over shards in any way, when each shard keeps its groups and they are merged, then the result is what keeping the whole plan gives: every kept count whole, the cap said', () => {
    fc.assert(
      fc.property(plans, ([plan, shardOf]) => {
        const shards = Array.from({ length: 16 }, (_, s) => plan.filter((_n, i) => shardOf[i] === s));
        const merged = mergeHeldGroups(shards.map((part) => heldGroups(part, customer)));
        const whole = heldGroups(plan, customer);
        expect(merged).toEqual(whole);
        expect(merged.groups.length).toBeLessThanOrEqual(MAX_HELD_GROUPS);
        const keys = new Set(
          plan
            .filter((n) => customer(n.customerId).channel)
            .map((n) => [n.kind, customer(n.customerId).profile?.locale, n.effect, customer(n.customerId).channel].join()),
        );
        expect(merged.truncated).toBe(keys.size > MAX_HELD_GROUPS);
      }),
      { numRuns: 60 },
    );
  });

  it('given more groups than are kept, then the first in fan-out order are kept whole and the view is told', () => {
    // Locale, channel and effect follow n mod 30, the kind the next digit: 90 keys for 900 customers.
    const plan = Array.from({ length: 900 }, (_, n) => notice([n, Math.floor(n / 30) % 3]));
    const { groups, truncated } = heldGroups(plan, customer);
    expect(truncated).toBe(true);
    expect(groups).toHaveLength(MAX_HELD_GROUPS);
    expect(groups[0]).toMatchObject({ effect: 'outage' });
    const count = (g: HeldGroup) =>
      plan.filter(
        (n) =>
          n.kind === g.kind && n.effect === g.effect && customer(n.customerId).channel === g.channel && customer(n.customerId).profile?.locale === g.locale,
      ).length;
    for (const g of groups) expect(g.count).toBe(count(g));
  });
});
