import { describe, expect, it } from 'vitest';
import { MAX_ENTRY_BYTES, checkEntry } from '../../../lib/local/event-endpoint.ts';

const entry = { Source: 'acme', DetailType: 'Change Scheduled', Detail: '{"changeId":"CHG-1"}' };

describe('PutEvents entries, checked as EventBridge checks them', () => {
  it('Time: epoch seconds (what the SDK sends) or RFC 3339 text, kept as whole-second UTC', () => {
    expect(checkEntry({ ...entry, Time: 1_796_083_200 })).toMatchObject({ ok: true, event: { time: '2026-12-01T00:00:00Z' } });
    expect(checkEntry({ ...entry, Time: 1_796_083_200.75 })).toMatchObject({ ok: true, event: { time: '2026-12-01T00:00:00Z' } });
    expect(checkEntry({ ...entry, Time: '2026-12-01T01:00:00+01:00' })).toMatchObject({ ok: true, event: { time: '2026-12-01T00:00:00Z' } });
    for (const Time of ['garbage', '', 1e20, Number.NaN, null, {}])
      expect(checkEntry({ ...entry, Time }), String(Time)).toMatchObject({ ok: false, ErrorCode: 'InvalidArgument' });
  });

  it('size as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail, Resources, and 14 for a Time', () => {
    const padTo = (bytes: number, withTime: boolean) => {
      // "é" is 2 bytes in UTF-8: a count of characters would let this entry through.
      const fixed = Buffer.byteLength(`${entry.Source + entry.DetailType}{"p":""}`) + (withTime ? 14 : 0) + Buffer.byteLength('arn:r');
      const room = bytes - fixed;
      return {
        ...entry,
        Detail: `{"p":"${'é'.repeat(Math.floor(room / 2))}${'e'.repeat(room % 2)}"}`,
        Resources: ['arn:r'],
        ...(withTime ? { Time: 1_796_083_200 } : {}),
      };
    };
    expect(checkEntry(padTo(MAX_ENTRY_BYTES, false)).ok).toBe(true);
    expect(checkEntry(padTo(MAX_ENTRY_BYTES + 1, false))).toMatchObject({
      ok: false,
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining(`${MAX_ENTRY_BYTES + 1} bytes`),
    });
    expect(checkEntry(padTo(MAX_ENTRY_BYTES, true)).ok).toBe(true);
    expect(checkEntry({ ...padTo(MAX_ENTRY_BYTES, false), Time: 1_796_083_200 }).ok).toBe(false);
  });

  it('a missing field or a Detail that is not a JSON object is an entry error naming it', () => {
    expect(checkEntry({ ...entry, Source: undefined })).toMatchObject({
      ok: false,
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('Source'),
    });
    expect(checkEntry({ ...entry, Detail: 'not json' })).toMatchObject({ ok: false, ErrorCode: 'MalformedDetail' });
    expect(checkEntry({ ...entry, Detail: '[1]' })).toMatchObject({
      ok: false,
      ErrorCode: 'MalformedDetail',
      ErrorMessage: expect.stringContaining('JSON object'),
    });
  });
});
