import { describe, expect, it } from 'vitest';
import { mapJira, type JiraConfig } from '../../../functions/domain/intake/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { catalogOf, clone, eventsOf, fixture, ignoredReason, parsedOf, refusalOf } from './given.ts';

const documented = fixture('jira-issue-updated.json');
const jira: JiraConfig = { fields: { plannedStart: 'customfield_10015', plannedEnd: 'customfield_10016', affectedServices: 'customfield_10043' } };
const catalog = catalogOf({ id: 'payments-api', services: ['Payments API'] }, { id: 'kiosk-ams', services: ['b2c1-kiosk'] });
const context = { catalog, config: { jira } };

/** The documented webhook with what a JSM change carries: a status, the planned window and affected services. */
const change = (status: string, fields: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => {
  const hook = clone(documented);
  Object.assign(hook.issue.fields, {
    status: { name: status, statusCategory: { key: 'indeterminate' } },
    customfield_10015: '2026-12-05T03:00:00.000+0100',
    customfield_10016: '2026-12-05T05:00:00.000+0100',
    customfield_10043: [{ id: 'b2c1-kiosk' }, { id: 'a91f', name: 'Payments API' }],
    ...fields,
  });
  return Object.assign(hook, over);
};

describe('Jira: the documented webhook', () => {
  it('given the issue webhook of the Jira docs (no status), then it is refused naming the status, and no e-mail address leaks', () => {
    const outcome = refusalOf(mapJira(documented, context));
    expect(outcome.issues).toEqual([{ field: 'issue.fields.status', message: expect.stringMatching(/is required: the issue status/) }]);
    expect(JSON.stringify(outcome)).not.toMatch(/bryansemail|@/);
  });
});

describe('Jira: changes by status', () => {
  it('given "Awaiting implementation", then Change Scheduled with the window in UTC, the services\' nodes and the user as actor', () => {
    const outcome = mapJira(change('Awaiting implementation'), context);
    const [event] = eventsOf(outcome);
    expect(event).toMatchObject({
      'detail-type': 'Change Scheduled',
      source: 'jira',
      detail: {
        eventId: 'jira:99291:changelog-10124:scheduled',
        occurredAt: '2018-05-07T13:03:57.764Z',
        changeId: 'JRA-20002',
        title: 'I feel the need for speed',
        window: { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.000Z' },
        impacts: [
          { node: 'kiosk-ams', effect: 'outage' },
          { node: 'payments-api', effect: 'outage' },
        ],
        actor: { type: 'tool', source: 'jira', id: 'brollins', name: 'Bryan Rollins [Atlassian]' },
      },
    });
    expect(JSON.stringify(outcome)).not.toMatch(/bryansemail|@/);
  });

  it('given "Implementing", then the change is announced and started', () => {
    const events = parsedOf(mapJira(change('Implementing'), context));
    expect(events.map((e) => e.detailType)).toEqual(['Change Scheduled', 'Change Started']);
    expect(foldSubject(events)).toMatchObject({ status: 'started', opened: true });
  });

  it.each([
    ['Completed', 'Change Completed', { note: 'Completed in Jira' }],
    ['Declined', 'Change Cancelled', { reason: 'Declined in Jira' }],
    ['Failed', 'Change Failed', { note: 'Failed in Jira' }],
  ])('given "%s", then %s without needing the planned fields', (status, type, text) => {
    const [event] = parsedOf(mapJira(change(status, { customfield_10015: null, customfield_10043: [] }), context));
    expect(event).toMatchObject({ detailType: type, subjectId: 'JRA-20002', detail: text });
  });

  it('given a status that announces nothing yet ("Planning"), then it is ignored with how to announce it', () => {
    expect(ignoredReason(mapJira(change('Planning'), context))).toMatch(/"Planning".*intake\.jira\.statuses\.scheduled/);
  });

  it("given a site's own status names in config, then they map to their stage", () => {
    const config = { jira: { ...jira, statuses: { scheduled: ['Ready for CAB-approved window'] } } };
    expect(eventsOf(mapJira(change('ready for cab-approved window'), { catalog, config }))[0]['detail-type']).toBe('Change Scheduled');
  });

  it('given issue_deleted or a comment event, then it is ignored', () => {
    expect(ignoredReason(mapJira(change('Awaiting implementation', {}, { webhookEvent: 'jira:issue_deleted' }), context))).toMatch(/never means cancelled/);
    expect(ignoredReason(mapJira({ ...change('Implementing'), webhookEvent: 'comment_created' }, context))).toMatch(/comment_created/);
  });
});

describe('Jira: redelivery and updates', () => {
  it('given the same webhook twice, then the same ids; given the next changelog entry, then a new announcement', () => {
    const a = eventsOf(mapJira(change('Awaiting implementation'), context));
    const b = eventsOf(mapJira(change('Awaiting implementation'), context));
    expect(b[0].detail.eventId).toBe(a[0].detail.eventId);
    const next = change(
      'Awaiting implementation',
      { customfield_10016: '2026-12-05T06:00:00.000+0100' },
      { changelog: { id: 10125, items: [] }, timestamp: 1525698300000 },
    );
    expect(eventsOf(mapJira(next, context))[0].detail.eventId).toBe('jira:99291:changelog-10125:scheduled');
  });

  it('given a webhook without changelog, then the event and its timestamp tell deliveries apart', () => {
    const created = change('Awaiting implementation', {}, { webhookEvent: 'jira:issue_created', changelog: undefined });
    expect(eventsOf(mapJira(created, context))[0].detail.eventId).toBe('jira:99291:jira:issue_created-1525698237764:scheduled');
  });
});

describe('Jira: refusals', () => {
  it('given no field configuration, then each missing key is named with where to find the id', () => {
    const outcome = refusalOf(mapJira(change('Awaiting implementation'), { catalog }));
    expect(outcome.issues.map((i) => i.field)).toEqual([
      'intake.jira.fields.plannedStart',
      'intake.jira.fields.plannedEnd',
      'intake.jira.fields.affectedServices',
    ]);
    expect(outcome.issues[0].message).toMatch(/customfield_10015/);
  });

  it('given a planned end before the start and an unreadable start, then the fields are named', () => {
    const backwards = refusalOf(mapJira(change('Awaiting implementation', { customfield_10016: '2026-12-05T01:00:00.000+0100' }), context));
    expect(backwards.issues).toEqual([
      { field: 'issue.fields.customfield_10016', message: expect.stringMatching(/must be after issue.fields.customfield_10015/) },
    ]);
    const words = refusalOf(mapJira(change('Awaiting implementation', { customfield_10015: 'tomorrow' }), context));
    expect(words.issues[0]).toEqual({ field: 'issue.fields.customfield_10015', message: expect.stringMatching(/\(got "tomorrow"\)/) });
  });

  it('given services no node lists, then it is refused with their names', () => {
    const outcome = refusalOf(mapJira(change('Awaiting implementation', { customfield_10043: [{ id: 'zz-9', name: 'Mainframe' }] }), context));
    expect(outcome).toMatchObject({ code: 'unknown-names', unknownNames: [{ kind: 'service', value: 'Mainframe (zz-9)' }] });
  });

  it('given no webhookEvent, then it is named', () => {
    expect(refusalOf(mapJira({ issue: documented.issue }, context)).issues[0]).toMatchObject({ field: 'webhookEvent' });
  });
});
