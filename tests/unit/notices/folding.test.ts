import { describe, expect, it } from 'vitest';
import { coversIncidentStart, foldIntoCoveringChanges, foldsIntoChange, type PlannedNotice } from '../../../functions/domain/notices/index.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import { openChange } from '../../support/graphs.ts';

const T0 = Date.UTC(2026, 11, 5);
const H = 3_600_000;
const change = (over: Partial<SubjectState> = {}): SubjectState => ({
  ...openChange(
    [
      { node: 'db', effect: 'outage' },
      { node: 'net', effect: 'outage' },
    ],
    { start: T0 + 2 * H, end: T0 + 4 * H },
  ),
  ...over,
});
const incident = (start: number, nodes: string[]): SubjectState => ({
  ...change(),
  type: 'incident',
  id: 'INC-1',
  status: 'open',
  window: { start },
  impacts: nodes.map((node) => ({ node, effect: 'outage' as const })),
});

describe('an incident inside an announced change window on the same nodes folds into the change', () => {
  it('given an incident starting inside the window on nodes the change names, then it folds', () => {
    expect(foldsIntoChange(incident(T0 + 3 * H, ['db']), change())).toBe(true);
  });

  it('given an incident starting at the window end, after it, or on another node, then it does not', () => {
    expect(foldsIntoChange(incident(T0 + 4 * H, ['db']), change())).toBe(false);
    expect(foldsIntoChange(incident(T0 + 5 * H, ['db']), change())).toBe(false);
    expect(foldsIntoChange(incident(T0 + 3 * H, ['db', 'dns']), change())).toBe(false);
    expect(foldsIntoChange(incident(T0 + 3 * H, []), change())).toBe(false);
  });

  it('given a cancelled or completed change, then nothing folds into it; a failed one still covers its window', () => {
    expect(foldsIntoChange(incident(T0 + 3 * H, ['db']), change({ status: 'cancelled' }))).toBe(false);
    expect(foldsIntoChange(incident(T0 + 3 * H, ['db']), change({ status: 'completed' }))).toBe(false);
    expect(foldsIntoChange(incident(T0 + 3 * H, ['db']), change({ status: 'failed' }))).toBe(true);
  });

  it('given subject summaries, then the window test is the same one foldsIntoChange uses', () => {
    const summary = { type: 'change' as const, status: 'scheduled' as const, window: { start: T0 + 2 * H } };
    expect(coversIncidentStart(summary, T0 + 100 * H)).toBe(true); // open-ended
    expect(coversIncidentStart(summary, T0 + H)).toBe(false);
    expect(coversIncidentStart({ ...summary, type: 'incident' }, T0 + 3 * H)).toBe(false);
  });

  it('given a plan and the customers told of a covering change, when folded, then only their incident notices and updates go', () => {
    // Given
    const plan: PlannedNotice[] = [
      { customerId: 'C-1', kind: 'incident-notice', version: 1, effect: 'outage' },
      { customerId: 'C-1', kind: 'incident-resolved', version: 1, effect: 'none' },
      { customerId: 'C-2', kind: 'incident-notice', version: 1, effect: 'outage' },
      { customerId: 'C-1', kind: 'incident-update', version: 7, effect: 'outage' },
    ];
    // When
    const result = foldIntoCoveringChanges(plan, new Set(['C-1']));
    // Then
    expect(result).toEqual({ plan: [plan[1], plan[2]], folded: 2 });
  });
});
