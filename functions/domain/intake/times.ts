/**
 * Vendor time formats, read strictly: V8's Date.parse accepts almost anything ("garbage 12" is
 * 2001-12-01), so every format is matched by its own pattern first and anything else is refused.
 */

const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** ServiceNow's API value: "2026-12-05 02:00:00", always UTC (the display value is local, never sent here). */
const SERVICENOW_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
/** AWS Health: "Fri, 27 Jan 2023 06:02:51 GMT" (RFC 1123). */
const RFC_1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC)$/;
/** Go's zero time: Alertmanager sends it as endsAt of an alert that has not ended. */
const GO_ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/;

/** The formats a vendor time may come in. */
export const TIME_FORMATS_HINT =
  'an ISO 8601 time with a zone (2026-12-05T02:00:00Z), "YYYY-MM-DD HH:MM:SS" in UTC, or an RFC 1123 time (Sat, 05 Dec 2026 02:00:00 GMT)';

const valid = (ms: number): number | undefined => (Number.isFinite(ms) && ms >= 0 && ms < 253402300800000 ? ms : undefined);

/**
 * Epoch ms of a vendor time, or undefined when it is absent, empty, Go's zero time or not one of the
 * formats above. Numbers are epoch milliseconds (Jira's `timestamp`).
 */
export const vendorTime = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isInteger(value) ? valid(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '' || GO_ZERO_TIME.test(s)) return undefined;
  if (ISO_ZONED.test(s)) {
    // Date.parse reads at most milliseconds reliably; Alertmanager sends nanoseconds.
    return valid(Date.parse(s.replace(/(\.\d{3})\d+/, '$1')));
  }
  const servicenow = SERVICENOW_UTC.exec(s);
  if (servicenow) return valid(Date.parse(`${servicenow[1]}T${servicenow[2]}Z`));
  if (RFC_1123.test(s)) return valid(Date.parse(s));
  return undefined;
};

export const isoOf = (ms: number): string => new Date(ms).toISOString();
