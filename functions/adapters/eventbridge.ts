/** PutEvents in entries of at most 10 (each under 256 KB); entries EventBridge reports as failed are resent. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PIPELINE_SOURCE, type PipelineDetailType } from '../domain/events/schemas.ts';
import { RetriesExhaustedError, backoffMs, sleep } from './dynamodb/retry.ts';

export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;

export class EventTooLargeError extends Error {
  constructor(detailType: string, bytes: number) {
    super(`"${detailType}" event is ${bytes} bytes; EventBridge takes at most ${MAX_ENTRY_BYTES}: send less detail (ids and counts, not lists)`);
    this.name = 'EventTooLargeError';
  }
}

const entrySize = (e: PutEventsRequestEntry) =>
  Buffer.byteLength(e.Detail ?? '') + Buffer.byteLength(e.DetailType ?? '') + Buffer.byteLength(e.Source ?? '') + (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0);

export class PipelineEvents {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(client: EventBridgeClient, busName: string) {
    this.client = client;
    this.busName = busName;
  }

  async emit(events: { detailType: PipelineDetailType; detail: unknown }[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((e) => ({ EventBusName: this.busName, Source: PIPELINE_SOURCE, DetailType: e.detailType, Detail: JSON.stringify(e.detail) }));
    for (const e of entries) if (entrySize(e) > MAX_ENTRY_BYTES) throw new EventTooLargeError(e.DetailType!, entrySize(e));
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
      let pending = entries.slice(i, i + MAX_ENTRIES);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new RetriesExhaustedError('PutEvents', attempt);
        if (attempt > 0) await sleep(backoffMs(attempt, 50));
        const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) break;
        pending = pending.filter((_, k) => out.Entries?.[k]?.ErrorCode);
      }
    }
  }
}
