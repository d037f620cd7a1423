import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NoticeReceipt } from '../../../functions/domain/events/schemas.ts';
import {
  acceptedStep,
  applyStep,
  counterDeltas,
  noticeOutcome,
  pendingOf,
  stepOf,
  type ChannelDelivery,
  type DeliveryStep,
} from '../../../functions/domain/delivery/state.ts';

const T = Date.parse('2026-12-05T02:00:00Z');
const MIN = 60_000;
const NOTICE = 'incident#INC-1/C-1/incident-notice/1';
const at = (ms: number) => new Date(ms).toISOString();
const delivered = (ms: number, extra: Partial<NoticeReceipt> = {}): NoticeReceipt =>
  ({
    detailType: 'Notice Delivered',
    eventId: `d-${ms}`,
    noticeId: NOTICE,
    channel: 'email',
    provider: 'ses',
    providerMessageId: 'm-1',
    occurredAt: at(ms),
    ...extra,
  }) as NoticeReceipt;
const failed = (ms: number, permanent: boolean, extra: Partial<NoticeReceipt> = {}): NoticeReceipt =>
  ({
    detailType: 'Notice Failed',
    eventId: `f-${ms}`,
    noticeId: NOTICE,
    channel: 'email',
    provider: 'ses',
    providerMessageId: 'm-1',
    occurredAt: at(ms),
    permanent,
    final: true,
    reason: permanent ? 'bounce Permanent/General' : 'bounce Transient/MailboxFull',
    ...extra,
  }) as NoticeReceipt;
const fold = (steps: readonly DeliveryStep[]) => steps.reduce<ChannelDelivery | undefined>((state, step) => applyStep(state, step), undefined);

describe('delivery state of one notice on one channel', () => {
  it('given the provider took it, when it is delivered, then it is delivered with the provider message id', () => {
    // Given
    const accepted = applyStep(undefined, acceptedStep(T, 'm-1'));
    // When
    const state = applyStep(accepted, stepOf(delivered(T + MIN)));
    // Then
    expect(state).toEqual({ status: 'delivered', at: T + MIN, providerMessageId: 'm-1' });
  });

  it('given a delivery, when a bounce follows (the server accepted, then bounced), then it failed', () => {
    const state = fold([acceptedStep(T), stepOf(delivered(T + MIN)), stepOf(failed(T + 2 * MIN, true))]);
    expect(state).toMatchObject({ status: 'failed', permanent: true, reason: 'bounce Permanent/General' });
  });

  it('given a bounce, when the delivery receipt arrives late, then it stays failed', () => {
    const state = fold([acceptedStep(T), stepOf(failed(T + 2 * MIN, false)), stepOf(delivered(T + MIN))]);
    expect(state).toMatchObject({ status: 'failed', permanent: false });
  });

  it('given a delay (the provider keeps trying), then it is delayed, not failed; a later delivery wins', () => {
    const delay = stepOf(failed(T + MIN, false, { final: false, reason: 'delivery delayed: MailboxFull (SES keeps trying)' }));
    expect(delay.status).toBe('delayed');
    expect(fold([acceptedStep(T), delay, stepOf(delivered(T + 3 * MIN))])).toMatchObject({ status: 'delivered' });
  });

  it('given a complaint, then it was delivered and the opt-out stays whatever comes after', () => {
    const complaint = stepOf(delivered(T + 5 * MIN, { optOut: true, reason: 'complaint: abuse' }));
    const state = fold([acceptedStep(T), complaint, stepOf(delivered(T + MIN))]);
    expect(state).toMatchObject({ status: 'delivered', optOut: true });
  });

  it('receipts twice and in any order end in the same state (fast-check)', () => {
    const step = fc.oneof(
      fc.record({ ms: fc.integer({ min: 0, max: 100 }), id: fc.constantFrom('m-1', 'm-2', undefined) }).map(({ ms, id }) => acceptedStep(T + ms * 1000, id)),
      fc
        .record({ ms: fc.integer({ min: 0, max: 100 }), optOut: fc.boolean() })
        .map(({ ms, optOut }) => stepOf(delivered(T + ms * 1000, optOut ? { optOut: true, reason: 'complaint' } : {}))),
      fc
        .record({ ms: fc.integer({ min: 0, max: 100 }), permanent: fc.boolean(), final: fc.boolean(), reason: fc.constantFrom('a', 'b') })
        .map(({ ms, permanent, final, reason }) => stepOf(failed(T + ms * 1000, permanent, { final, reason }))),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), fc.integer(), (steps, seed) => {
        // Every step delivered twice, in a shuffled order.
        const twice = [...steps, ...steps];
        const shuffled = twice
          .map((s, i) => ({ s, key: Math.sin(seed + i) }))
          .sort((a, b) => a.key - b.key)
          .map(({ s }) => s);
        expect(fold(shuffled)).toEqual(fold(steps));
        expect(fold([...steps].reverse())).toEqual(fold(steps));
      }),
      { numRuns: 300 },
    );
  });

  it('the state never goes back: a later state ranks at least as high (fast-check)', () => {
    const order = { accepted: 1, delayed: 2, delivered: 3, failed: 4 } as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(acceptedStep(T), stepOf(delivered(T)), stepOf(failed(T, false)), stepOf(failed(T, true)), stepOf(failed(T, false, { final: false }))),
          { minLength: 1, maxLength: 6 },
        ),
        (steps) => {
          let state: ChannelDelivery | undefined;
          for (const s of steps) {
            const next = applyStep(state, s);
            if (state) expect(order[next.status] + (next.permanent ? 1 : 0)).toBeGreaterThanOrEqual(order[state.status] + (state.permanent ? 1 : 0));
            state = next;
          }
        },
      ),
    );
  });
});

describe('delivery counters of a subject', () => {
  const eventAt = T - 3 * MIN;

  it('given a first step, then one more sent; delivered 4 minutes after the event counts within 5 and 15 minutes', () => {
    const accepted = applyStep(undefined, acceptedStep(T));
    expect(counterDeltas(undefined, accepted, eventAt)).toEqual({ sent: 1 });
    const done = applyStep(accepted, stepOf(delivered(eventAt + 4 * MIN)));
    expect(counterDeltas(accepted, done, eventAt)).toEqual({ delivered: 1, within5: 1, within15: 1 });
  });

  it('delivered 10 minutes after the event counts within 15 only; without the event time, in neither', () => {
    const accepted = applyStep(undefined, acceptedStep(T));
    const done = applyStep(accepted, stepOf(delivered(eventAt + 10 * MIN)));
    expect(counterDeltas(accepted, done, eventAt)).toEqual({ delivered: 1, within15: 1 });
    expect(counterDeltas(accepted, done)).toEqual({ delivered: 1 });
  });

  it('given a delivered notice that bounces, then it moves from delivered to failed', () => {
    const done = fold([acceptedStep(T), stepOf(delivered(eventAt + 4 * MIN))])!;
    const bounced = applyStep(done, stepOf(failed(T + 5 * MIN, true)));
    expect(counterDeltas(done, bounced, eventAt)).toEqual({ delivered: -1, failed: 1, within5: -1, within15: -1 });
  });

  it('a receipt that changes nothing moves no counter; pending is sent minus delivered and failed', () => {
    const done = fold([acceptedStep(T), stepOf(delivered(T + MIN))])!;
    expect(counterDeltas(done, applyStep(done, stepOf(delivered(T + MIN))), eventAt)).toEqual({});
    expect(pendingOf({ sent: 10, delivered: 6, failed: 3 })).toBe(1);
  });
});

describe('where a notice stands over its channels', () => {
  it('delivered on one channel, failed on every one tried, else pending', () => {
    const bounced = fold([stepOf(failed(T, true))])!;
    const sms = fold([acceptedStep(T)])!;
    expect(noticeOutcome({ email: bounced })).toBe('failed');
    expect(noticeOutcome({ email: bounced, sms })).toBe('pending');
    expect(noticeOutcome({ email: bounced, sms: applyStep(sms, stepOf(delivered(T + MIN, { channel: 'sms' }))) })).toBe('delivered');
    expect(noticeOutcome({})).toBe('pending');
  });
});
