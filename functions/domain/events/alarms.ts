/**
 * CloudWatch alarms open and resolve incidents on the graph nodes that list them (DESIGN section 6).
 * ALARM -> Incident Opened `ALARM-<alarm name>` (sev2, outage on every node listing the alarm);
 * OK -> Incident Resolved; INSUFFICIENT_DATA says nothing about customers, so it maps to nothing.
 */
import { NODE_ID_PATTERN, type NodeId } from '../model.ts';
import type { AlarmStateChange, ImpactEvent } from './parse.ts';

/** Alarm names may hold characters ids may not (spaces, slashes): map them to '-'. */
export const alarmIncidentId = (alarmName: string): string => {
  const id = `ALARM-${alarmName.replace(/[^A-Za-z0-9._:-]/g, '-')}`.slice(0, 128);
  return NODE_ID_PATTERN.test(id) ? id : 'ALARM-unnamed';
};

export const alarmToIncidentEvents = (alarm: AlarmStateChange, nodesWithAlarms: Iterable<{ id: NodeId; alarms?: string[] }>): ImpactEvent[] => {
  const nodes = [...nodesWithAlarms]
    .filter((n) => n.alarms?.includes(alarm.alarmName))
    .map((n) => n.id)
    .sort();
  if (nodes.length === 0 || alarm.state === 'INSUFFICIENT_DATA') return [];
  const incidentId = alarmIncidentId(alarm.alarmName);
  const at = new Date(alarm.occurredAt).toISOString();
  const base = {
    occurredAt: alarm.occurredAt,
    source: 'aws.cloudwatch',
    subjectType: 'incident' as const,
    subjectId: incidentId,
    ...(alarm.replayName ? { replayName: alarm.replayName } : {}),
  };
  // The derived detail is all there is of the event: it is also what the event store keeps.
  const actor = { type: 'system' as const, source: 'aws.cloudwatch', id: alarm.alarmName.slice(0, 256) };
  if (alarm.state === 'ALARM') {
    const eventId = `${alarm.eventId}:opened`;
    const detail = {
      eventId,
      occurredAt: at,
      incidentId,
      title: `Alarm ${alarm.alarmName}`,
      severity: 'sev2' as const,
      impacts: nodes.map((node) => ({ node, effect: 'outage' as const })),
      startedAt: at,
      actor,
    };
    return [{ ...base, eventId, detailType: 'Incident Opened', detail, rawDetail: detail }];
  }
  const eventId = `${alarm.eventId}:resolved`;
  const detail = { eventId, occurredAt: at, incidentId, resolvedAt: at, actor };
  return [{ ...base, eventId, detailType: 'Incident Resolved', detail, rawDetail: detail }];
};
