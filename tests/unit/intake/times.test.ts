import { describe, expect, it } from 'vitest';
import { vendorTime } from '../../../functions/domain/intake/index.ts';

describe('vendor times are read strictly', () => {
  it.each([
    ['2026-12-05T02:00:00Z', '2026-12-05T02:00:00.000Z'],
    ['2026-12-05T03:00:00.000+0100', '2026-12-05T02:00:00.000Z'], // Jira
    ['2018-08-03T09:52:26.739266876+02:00', '2018-08-03T07:52:26.739Z'], // Alertmanager (nanoseconds)
    ['2026-12-05 02:00:00', '2026-12-05T02:00:00.000Z'], // ServiceNow API value: UTC whatever the machine's zone
    ['Fri, 27 Jan 2023 06:02:51 GMT', '2023-01-27T06:02:51.000Z'], // AWS Health
    ['Fri, 3 Jun 2022 05:01:10 GMT', '2022-06-03T05:01:10.000Z'],
  ])('reads %s as %s', (raw, iso) => {
    expect(new Date(vendorTime(raw) as number).toISOString()).toBe(iso);
  });

  it("reads Jira's epoch milliseconds", () => {
    expect(vendorTime(1525698237764)).toBe(1525698237764);
  });

  it.each(['garbage 12', '2026-12-05T02:00:00', '05/12/2026', 'tomorrow', '0001-01-01T00:00:00Z', '', '  ', '2026-13-45T99:99:99Z', 1.5, Number.NaN, null, {}])(
    "refuses %j (no zone, not a format we know, Go's zero time, or not a time)",
    (raw) => {
      expect(vendorTime(raw)).toBeUndefined();
    },
  );
});
