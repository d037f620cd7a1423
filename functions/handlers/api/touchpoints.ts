/** Touchpoints: what state each is in now (by the live subjects that hit it) and what is coming. */
import { z } from 'zod';
import type { Touchpoint } from '../../domain/model.ts';
import { hitsByTouchpoint, touchpointNow, type TouchpointNow } from '../../domain/support.ts';
import { changesOverlapping } from '../shared/indexed-changes.ts';
import { endpoint, type ApiDependencies } from './endpoint.ts';
import { ApiError, param } from './http.ts';

export interface TouchpointView extends TouchpointNow {
  id: string;
  name?: string;
  channel: Touchpoint['channel'];
  team?: string;
  region?: string;
}

export interface TouchpointListView {
  /** By id. */
  touchpoints: TouchpointView[];
}

/**
 * Every touchpoint with the live subjects that hit it, read once per request: the topology (cached per
 * graph version), the changes whose window reaches past now (changes index) and the open incidents.
 */
const touchpointViews = async (deps: ApiDependencies): Promise<Map<string, TouchpointView>> => {
  const now = deps.now();
  // A store projected before the indexes gets them built once.
  const [{ topology }, changes, incidents] = await Promise.all([
    deps.graph.topology(),
    changesOverlapping(deps, { from: now }),
    deps.projections.ensureIncidentIndex().then(() => deps.projections.openIncidents()),
  ]);
  const hits = hitsByTouchpoint([...changes, ...incidents], now);
  const views = new Map<string, TouchpointView>();
  for (const id of [...topology.touchpoints.keys()].sort()) {
    const t = topology.touchpoints.get(id)!;
    views.set(id, { id, name: t.name, channel: t.channel, team: t.team, region: t.region, ...touchpointNow(hits.get(id) ?? [], now) });
  }
  return views;
};

export const allTouchpoints = endpoint(
  {},
  async (_request, deps): Promise<TouchpointListView> => ({ touchpoints: [...(await touchpointViews(deps)).values()] }),
);

export const touchpoint = endpoint({ params: z.object({ id: param.id('a touchpoint id') }) }, async ({ params }, deps): Promise<TouchpointView> => {
  const view = (await touchpointViews(deps)).get(params.id);
  if (!view) throw new ApiError('not-found', `touchpoint ${params.id} not found; GET /touchpoints lists them`);
  return view;
});
