import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import { assessDetailed, viewOf } from '../../../functions/domain/impact/assess.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import { buildBriefings, customerNoticeMessage, renderBriefing, toJobs, type JobSource } from '../../../functions/domain/notices/index.ts';
import { initialSubject } from '../../../functions/domain/subject.ts';
import { graphOf, openChange } from '../../support/graphs.ts';

const shipped = loadTemplates();
const T0 = Date.UTC(2026, 11, 5, 2);
const H = 3_600_000;
const source = (state: SubjectState, told?: JobSource['told']): JobSource => ({
  state,
  subjectKey: `${state.type}#${state.id}`,
  eventVersion: 4,
  touchpointNames: { kiosk: 'Check-in kiosks' },
  customer: () => ({ channel: 'sms', touchpoints: ['kiosk'], profile: { locale: 'en-GB', timeZone: 'Europe/Amsterdam' } }),
  ...(told ? { told } : {}),
});
const textOf = (state: SubjectState, kind: Parameters<typeof toJobs>[0][number]['kind']) => {
  const [job] = toJobs([{ customerId: 'C-1', kind, version: 1, effect: 'outage' }], source(state));
  return customerNoticeMessage(shipped, job, job.customers[0], 'email', 'c1@example.com').body.text;
};
const incident: SubjectState = {
  ...initialSubject('incident', 'INC-1'),
  opened: true,
  status: 'open',
  title: 'Kiosks down',
  severity: 'sev2',
  window: { start: T0 },
  scopeVersion: 1,
  expectedResolutionAt: T0 + 3 * H,
};

describe('the expected restore time reaches customers', () => {
  it("given an incident with an expected restore time, when its notice is rendered, then it says when, in the customer's zone", () => {
    expect(textOf(incident, 'incident-notice')).toContain('We expect to have it fixed by 5 Dec 2026, 06:00.');
    expect(textOf({ ...incident, expectedResolutionAt: undefined }, 'incident-update')).not.toContain('We expect to have it fixed');
  });

  it('given the job of a subject, then it carries the expected time, the status, the event version and what each customer was last told', () => {
    const [job] = toJobs(
      [{ customerId: 'C-1', kind: 'incident-update', version: 9, effect: 'outage' }],
      source(incident, () => ({ at: T0 + H, effect: 'degraded' })),
    );
    expect(job).toMatchObject({
      eventVersion: 4,
      subject: { expectedResolutionAt: T0 + 3 * H, status: 'open' },
      customers: [{ id: 'C-1', toldEffect: 'degraded', lastToldAt: T0 + H }],
    });
  });
});

describe('a failed change says what is still unavailable and until when', () => {
  const failed: SubjectState = {
    ...openChange([{ node: 'kiosk', effect: 'outage' }], { start: T0, end: T0 + 5 * H }),
    title: 'Kiosk patch',
    status: 'failed',
    expectedResolutionAt: T0 + 5 * H,
  };

  it('given a failed change with an expected time, then the notice names the touchpoints still hit and the time', () => {
    const text = textOf(failed, 'change-failed');
    expect(text).toContain('For now, Check-in kiosks will remain unavailable.');
    expect(text).toContain('We expect everything to work again by 5 Dec 2026, 08:00.');
  });

  it('given no expected time, then until further notice; given a rollback, then everything works as before', () => {
    expect(textOf({ ...failed, expectedResolutionAt: undefined }, 'change-failed')).toContain('We cannot yet say when everything will work again.');
    const undone = textOf({ ...failed, status: 'rolled-back' }, 'change-failed');
    expect(undone).toContain('was undone. Everything works as before.');
    expect(undone).not.toContain('will remain');
  });
});

describe('support briefings show the expected restore time', () => {
  it('given an incident with one, then the briefing carries it and its text says it', () => {
    const graph = graphOf({
      touchpoints: [{ id: 'kiosk', channel: 'kiosk', team: 'airport' }],
      customers: [{ id: 'C-1', contacts: { email: 'x@example.com' }, uses: ['kiosk'] }],
    });
    const state = { ...incident, impacts: [{ node: 'kiosk', effect: 'outage' as const }] };
    const { assessment, records } = assessDetailed(viewOf(graph), state);
    const [briefing] = buildBriefings(state, assessment, records, graph, 'incident-notice');
    expect(briefing.subject.expectedResolutionAt).toBe('2026-12-05T05:00:00.000Z');
    expect(renderBriefing(briefing)).toContain('Expected back: 2026-12-05T05:00:00.000Z');
  });
});
