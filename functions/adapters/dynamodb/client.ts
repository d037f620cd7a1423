/**
 * DynamoDB document clients, created once per process and reused across Lambda invocations. The
 * endpoint is the standard resolution in AWS; the local runtime, the CLI and the tests pass theirs in
 * `config` (DynamoDB Local).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** `instrument` sees the low-level client before it is wrapped (the Lambda handlers trace it with X-Ray there). */
export const documentClient = (config: DynamoDBClientConfig = {}, instrument: (client: DynamoDBClient) => DynamoDBClient = (c) => c): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ maxAttempts: 5, ...config })), {
    marshallOptions: { removeUndefinedValues: true },
  });
