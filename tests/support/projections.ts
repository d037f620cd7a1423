/** Stores as projections were written before the indexes existed, for the tests of the indexes' one-time builds. */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubjectProjection } from '../../functions/adapters/projections.ts';

/**
 * What the projection writer stored before the changes and open incidents indexes: the subject's state
 * and its item in the list of subjects, nothing else (fields left undefined are not stored).
 */
export const storeBeforeIndexes = async (client: DynamoDBDocumentClient, table: string, p: SubjectProjection): Promise<void> => {
  const stored = JSON.parse(JSON.stringify(p)) as SubjectProjection;
  await client.send(
    new PutCommand({ TableName: table, Item: { pk: `subject#${p.subjectKey}`, sk: 'state', kind: 'subject', ...stored, state: JSON.stringify(p.state) } }),
  );
  await client.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: 'subjects',
        sk: p.subjectKey,
        kind: 'subject-index',
        type: p.state.type,
        id: p.state.id,
        status: p.state.status,
        start: p.state.window.start,
        ...(p.state.window.end !== undefined ? { end: p.state.window.end } : {}),
        eventVersion: p.eventVersion,
      },
    }),
  );
};

/**
 * Runs `meanwhile` once, just before an index build writes its first item (a transaction checking the
 * state's version it read): a writer that gets in between the build's read and its write. Says whether it ran.
 */
export const beforeIndexBuildWrite = (client: DynamoDBDocumentClient, meanwhile: () => Promise<unknown>): (() => boolean) => {
  let ran = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TransactItems?: { ConditionCheck?: unknown }[] };
      if (!ran && context.commandName?.startsWith('TransactWrite') && input.TransactItems?.[0]?.ConditionCheck) {
        ran = true;
        await meanwhile();
      }
      return next(args);
    },
    { step: 'initialize', name: 'beforeIndexBuildWrite' },
  );
  return () => ran;
};
