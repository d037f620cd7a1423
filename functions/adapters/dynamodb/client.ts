/**
 * DynamoDB clients, created once per process (module scope, reused across Lambda invocations).
 * The endpoint comes from the SDK's own AWS_ENDPOINT_URL_DYNAMODB (local runtime, tests) or the
 * standard resolution (AWS).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** `instrument` sees the low-level client before it is wrapped (the Lambda handlers trace it with X-Ray there). */
export const documentClient = (config: DynamoDBClientConfig = {}, instrument: (client: DynamoDBClient) => DynamoDBClient = (c) => c): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(instrument(new DynamoDBClient({ maxAttempts: 5, ...config })), {
    marshallOptions: { removeUndefinedValues: true },
  });
