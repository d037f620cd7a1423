/**
 * What a tool's payload becomes, computed offline with intake's pure mappers over the graph files and
 * impact.local.json's intake configuration (no pipeline, no database): the independent expectation the
 * README test compares the local runtime's answers and outbox against.
 */
import { readFileSync } from 'node:fs';
import { loadGraph, type GraphFiles } from '../../functions/adapters/graph-files.ts';
import { buildIntakeCatalog, mapIntake, type IntakeEvent, type IntakeSource } from '../../functions/domain/intake/index.ts';
import { readLocalIntake } from '../../lib/local/intake.ts';

/** The events a payload maps to (throws when the mapper does not give events: the README promises some). */
export const intakeEventsOf = async (source: IntakeSource, payload: unknown, files: GraphFiles, localConfigFile: string): Promise<IntakeEvent[]> => {
  const { graph } = await loadGraph({ graphFiles: files.graphFiles });
  const local = readLocalIntake(JSON.parse(readFileSync(localConfigFile, 'utf8')).intake);
  if (!local.ok) throw new Error(`${localConfigFile}: ${local.problems.join('; ')}`);
  const outcome = mapIntake(source, payload, {
    catalog: buildIntakeCatalog([...graph.components.values(), ...graph.touchpoints.values()]),
    config: local.intake.config,
  });
  if (outcome.kind !== 'events') throw new Error(`${source} payload gives no events: ${JSON.stringify(outcome)}`);
  return outcome.events;
};

/** A PutEvents entry as the pipeline sees it: AWS Health events mapped as ingest maps them, others as they are. */
export const pipelineEventsOfEntry = async (
  entry: { Source: string; DetailType: string; Detail: string },
  at: number,
  files: GraphFiles,
  localConfigFile: string,
): Promise<unknown[]> =>
  entry.Source === 'aws.health'
    ? intakeEventsOf(
        'aws-health',
        { 'detail-type': entry.DetailType, source: entry.Source, time: new Date(at).toISOString(), detail: JSON.parse(entry.Detail) },
        files,
        localConfigFile,
      )
    : [{ 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) }];
