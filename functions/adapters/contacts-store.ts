/**
 * Contact details by customer id, read in BatchGetItem calls of 100 keys (unprocessed keys retried),
 * with the marks receipts leave on them (`mark_email`, `mark_sms`, `mark_push`: unreachable or opted
 * out; domain/delivery/channels.ts). Only notify reads this table. Marking is a blind UpdateItem of one
 * mark attribute (no value returned): the receipts function may write marks and can read nothing here.
 * A graph import that changes a customer's contacts rewrites their item, marks included: new details
 * are tried again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactMark, ContactRecord } from '../domain/delivery/channels.ts';
import { NOTIFY_CHANNELS, type NotifyChannel } from '../domain/model.ts';
import { batchGet } from './dynamodb/batch.ts';

/** The attribute a channel's mark is kept in. */
export const markAttribute = (channel: NotifyChannel) => `mark_${channel}`;
export const MARK_ATTRIBUTES = NOTIFY_CHANNELS.map(markAttribute);

type Item = { customerId: string; email?: string; phone?: string; push?: string } & Partial<Record<string, ContactMark>>;

export class ContactsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async contactsOf(customerIds: readonly string[]): Promise<Map<string, ContactRecord>> {
    const unique = [...new Set(customerIds)];
    const items = await batchGet<Item>(
      this.client,
      this.table,
      unique.map((customerId) => ({ customerId })),
      {
        projection: `customerId, email, phone, #push, ${MARK_ATTRIBUTES.join(', ')}`,
        names: { '#push': 'push' },
      },
    );
    return new Map(
      items.map((i) => {
        const marks = Object.fromEntries(NOTIFY_CHANNELS.flatMap((c) => (i[markAttribute(c)] ? [[c, i[markAttribute(c)] as ContactMark]] : [])));
        return [i.customerId, { email: i.email, phone: i.phone, push: i.push, ...(Object.keys(marks).length > 0 ? { marks } : {}) }];
      }),
    );
  }

  /** Marks a customer's contact on `channel` (a customer without a contacts item is left alone). */
  async mark(customerId: string, channel: NotifyChannel, mark: ContactMark): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { customerId },
          UpdateExpression: 'SET #mark = :mark',
          ConditionExpression: 'attribute_exists(customerId)',
          ExpressionAttributeNames: { '#mark': markAttribute(channel) },
          ExpressionAttributeValues: { ':mark': mark },
          ReturnValues: 'NONE',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
