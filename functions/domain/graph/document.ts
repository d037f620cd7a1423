/** The graph file format of DESIGN section 4 (YAML or JSON), as a zod schema. */
import { z } from 'zod';
import { NODE_ID_PATTERN, NOTIFY_CHANNELS, TOUCHPOINT_CHANNELS } from '../model.ts';

const id = z.string({ error: 'is required: an id' }).regex(NODE_ID_PATTERN, {
  error: (issue) => `id ${JSON.stringify(issue.input)} must match ${NODE_ID_PATTERN.source} (letters, digits, . _ : -, 1-128 chars)`,
});
const depType = z.enum(['hard', 'soft'], { error: 'type must be hard or soft' }).optional();

export const dependencyEntrySchema = z.union(
  [
    id,
    z.strictObject({ id, type: depType }),
    z.strictObject({ anyOf: z.array(id).min(1, { error: 'anyOf needs at least one member' }), type: depType }),
  ],
  { error: 'must be a node id, { id, type: soft|hard } or { anyOf: [ids], type? }' },
);
export type DependencyEntry = z.infer<typeof dependencyEntrySchema>;

const dependsOn = z.array(dependencyEntrySchema).optional();
const alarms = z.array(z.string().min(1)).optional();

export const componentSchema = z.strictObject({
  id,
  name: z.string().optional(),
  team: z.string().optional(),
  dependsOn,
  alarms,
});

export const touchpointSchema = z.strictObject({
  id,
  name: z.string().optional(),
  channel: z.enum(TOUCHPOINT_CHANNELS, { error: `channel must be one of ${TOUCHPOINT_CHANNELS.join(', ')}` }),
  team: z.string().optional(),
  region: z.string().optional(),
  dependsOn,
  alarms,
});

export const notifyChannel = z.enum(NOTIFY_CHANNELS, { error: `must be one of ${NOTIFY_CHANNELS.join(', ')}` });

export const notificationChannelSchema = z.strictObject({ channel: notifyChannel, dependsOn });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be HH:MM (24 h), e.g. "22:00"' });

export const usageEntrySchema = z.union(
  [id, z.strictObject({ touchpoint: id, from: z.string().optional(), to: z.string().optional() })],
  { error: 'must be a touchpoint id or { touchpoint, from?, to? }' },
);

export const customerSchema = z.strictObject({
  id,
  segment: z.string().optional(),
  locale: z.string().optional(),
  timeZone: z.string().optional(),
  contacts: z.strictObject({ email: z.string().optional(), phone: z.string().optional(), push: z.string().optional() }).optional(),
  channels: z.array(notifyChannel).optional(),
  optOut: z.boolean().optional(),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
  uses: z.array(usageEntrySchema).optional(),
});

export const graphDocumentSchema = z.strictObject(
  {
    components: z.array(componentSchema).optional(),
    touchpoints: z.array(touchpointSchema).optional(),
    notificationChannels: z.array(notificationChannelSchema).optional(),
    customers: z.array(customerSchema).optional(),
  },
  { error: 'a graph file must be an object with components, touchpoints, notificationChannels, customers' },
);
export type GraphDocument = z.infer<typeof graphDocumentSchema>;
export type CustomerEntry = z.infer<typeof customerSchema>;
