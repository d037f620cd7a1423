/** The graph file format of DESIGN section 4 (YAML or JSON), as a zod schema. */
import { z } from 'zod';
import { badValue, notOneOf } from '../bad-value.ts';
import { intakeNameFields } from '../intake/catalog.ts';
import { NODE_ID_PATTERN, NOTIFY_CHANNELS, TOUCHPOINT_CHANNELS } from '../model.ts';

const ID_FIX = `ids match ${NODE_ID_PATTERN.source} (letters, digits, . _ : -, 1-128 chars)`;
const id = z.string({ error: badValue('an id', ID_FIX, 'an id') }).regex(NODE_ID_PATTERN, { error: badValue('a valid id', ID_FIX) });
const depType = z.enum(['hard', 'soft'], { error: notOneOf('a dependency type', ['hard', 'soft']) }).optional();
const text = (what: string) => z.string({ error: badValue('text', `give the ${what} as a string`) });
const list = <T extends z.ZodType>(of: T, what: string) => z.array(of, { error: badValue('a list', `give ${what} as a list`) });

export const dependencyEntrySchema = z.union(
  [
    id,
    z.strictObject({ id, type: depType }),
    z.strictObject({ anyOf: list(id, 'the members').min(1, { error: 'anyOf is empty; it needs at least one member' }), type: depType }),
  ],
  { error: badValue('a dependency', 'use a node id, { id, type: soft|hard } or { anyOf: [ids], type? }') },
);
export type DependencyEntry = z.infer<typeof dependencyEntrySchema>;

const dependsOn = list(dependencyEntrySchema, 'dependsOn').optional();
const alarms = list(text('alarm name').min(1, { error: 'is empty; give the CloudWatch alarm name' }), 'the alarm names').optional();

export const componentSchema = z.strictObject({
  id,
  name: text('name').optional(),
  team: text('team').optional(),
  dependsOn,
  alarms,
  ...intakeNameFields,
});

export const touchpointSchema = z.strictObject({
  id,
  name: text('name').optional(),
  channel: z.enum(TOUCHPOINT_CHANNELS, { error: notOneOf('a channel', TOUCHPOINT_CHANNELS) }),
  team: text('team').optional(),
  region: text('region').optional(),
  dependsOn,
  alarms,
  ...intakeNameFields,
});

export const notifyChannel = z.enum(NOTIFY_CHANNELS, { error: notOneOf('a notification channel', NOTIFY_CHANNELS) });

export const notificationChannelSchema = z.strictObject({ channel: notifyChannel, dependsOn });

const HHMM_FIX = 'use HH:MM (24 h), e.g. "22:00"';
const hhmm = z.string({ error: badValue('a time of day', HHMM_FIX) }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: badValue('a time of day', HHMM_FIX) });

export const usageEntrySchema = z.union([id, z.strictObject({ touchpoint: id, from: text('from time').optional(), to: text('to time').optional() })], {
  error: badValue('a usage', 'use a touchpoint id or { touchpoint, from?, to? }'),
});

// Contact details are personal data: a message about them never repeats the value.
const contact = (what: string) => z.string({ error: `is not text; give the ${what} as a string` });

export const customerSchema = z.strictObject({
  id,
  segment: text('segment').optional(),
  locale: text('locale').optional(),
  timeZone: text('time zone').optional(),
  contacts: z
    .strictObject({ email: contact('e-mail address').optional(), phone: contact('phone number').optional(), push: contact('push token').optional() })
    .optional(),
  channels: list(notifyChannel, 'the channels').optional(),
  optOut: z.boolean({ error: badValue('true or false', 'use true or false') }).optional(),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
  uses: list(usageEntrySchema, 'the touchpoints used').optional(),
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
