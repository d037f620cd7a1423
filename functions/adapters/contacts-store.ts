/** Contact details by customer id, read in BatchGetItem calls of 100 keys (unprocessed keys retried). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contacts } from '../domain/model.ts';
import { batchGet } from './dynamodb/batch.ts';

export class ContactsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async contactsOf(customerIds: readonly string[]): Promise<Map<string, Contacts>> {
    const unique = [...new Set(customerIds)];
    const items = await batchGet<{ customerId: string; email?: string; phone?: string; push?: string }>(
      this.client,
      this.table,
      unique.map((customerId) => ({ customerId })),
      { projection: 'customerId, email, phone, #push', names: { '#push': 'push' } },
    );
    return new Map(items.map((i) => [i.customerId, { email: i.email, phone: i.phone, push: i.push }]));
  }
}
