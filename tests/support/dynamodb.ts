/** Fresh tables in the run's shared DynamoDB Local for one test file, and a document client on them. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { LOCAL_AWS, createTables } from '../../lib/local/dynamodb-local.ts';
import { tableNames } from '../../lib/tables.ts';

export const dynamodbEndpoint = (): string => inject('dynamodbEndpoint');

export const localClientConfig = () => ({ endpoint: dynamodbEndpoint(), ...LOCAL_AWS });

export const freshTables = async () => {
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const raw = new DynamoDBClient(localClientConfig());
  await createTables(raw, prefix);
  raw.destroy();
  return { prefix, tables: tableNames(prefix), client: documentClient(localClientConfig()) };
};
