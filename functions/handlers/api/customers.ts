/** A caller looked up: what affects this customer and what they were told (never their contact details). */
import type { CustomerImpact } from '../../adapters/projections.ts';
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { param } from './http.ts';

/** One notice a customer was sent: kind, version, channel and time, not the address it went to. */
export interface ToldView {
  kind: string;
  version: number;
  channel: string;
  sentAt: string;
  status?: 'claimed' | 'sent';
}

export interface CallerView {
  customerId: string;
  /** `expectedResolutionAt`: when the subject expects the service back (epoch ms), from the subject's state. */
  impacts: (CustomerImpact & { told: ToldView[]; expectedResolutionAt?: number })[];
}

export const caller = endpoint({ params: z.object({ id: param.id('a customer id') }) }, async ({ params }, deps): Promise<CallerView> => {
  const impacts = await deps.projections.impactsOfCustomer(params.id);
  const ledger = deps.ledger;
  // The restore time is the subject's: read from its state (a caller has few impacts), never copied per customer.
  const [told, subjects] = await Promise.all([
    Promise.all(impacts.map((i) => ledger.sentTo(i.subjectKey, params.id))),
    Promise.all(impacts.map((i) => deps.projections.getSubject(i.subjectKey))),
  ]);
  // Contact details are never shown here: only notify may read them (DESIGN section 9).
  return {
    customerId: params.id,
    impacts: impacts.map((i, k) => {
      const expectedResolutionAt = subjects[k]?.state.expectedResolutionAt;
      return {
        ...i,
        ...(expectedResolutionAt !== undefined ? { expectedResolutionAt } : {}),
        told: (told[k] ?? []).map((t) => ({
          kind: t.kind,
          version: t.version,
          channel: t.channel,
          sentAt: new Date(t.sentAt).toISOString(),
          status: t.status,
        })),
      };
    }),
  };
});
