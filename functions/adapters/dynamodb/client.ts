/**
 * A DynamoDB document client with our defaults (5 attempts, undefined values dropped). Handlers build
 * one per process (handlers/shared/dependencies.ts) and reuse it across invocations. In Lambda the
 * endpoint is the SDK's standard resolution; the tests, the local runtime and the CLI's `--endpoint`
 * pass DynamoDB Local's endpoint in `config`.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** `instrument` sees the low-level client before it is wrapped (the Lambda handlers trace it with X-Ray there). */
export const documentClient = (config: DynamoDBClientConfig = {}, instrument: (client: DynamoDBClient) => DynamoDBClient = (c) => c): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ maxAttempts: 5, ...config })), {
    marshallOptions: { removeUndefinedValues: true },
  });
