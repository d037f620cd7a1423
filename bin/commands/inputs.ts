/** Reading the CLI's input files: graph files + CSVs, and event files (one event or a subject's history). */
import { readFile } from 'node:fs/promises';
import { EventValidationError, formatIssue, parseEvent, type ImpactEvent } from '../../functions/domain/events/index.ts';
import { foldSubject, subjectKey } from '../../functions/domain/subject.ts';
import type { SubjectState } from '../../functions/domain/model.ts';
import { CliInputError } from './cli-errors.ts';

export const readJsonFile = async (file: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliInputError([`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`], { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError([`${file}: not valid JSON: ${(error as Error).message}`], { cause: error });
  }
};

/**
 * An event file holds one EventBridge event or an array of them (a subject's history). Events without
 * a time are given "now" plus their position, so that a history without times folds in file order;
 * events without an id are named by their time, or by their position when they have no time either,
 * so that the same file folds the same way on every run.
 */
export const readSubject = async (file: string, now = Date.now()): Promise<{ subject: SubjectState; events: ImpactEvent[] }> => {
  const raw = await readJsonFile(file);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new CliInputError([`${file}: the event list is empty; give at least the opening event`]);
  const events: ImpactEvent[] = [];
  const problems: string[] = [];
  list.forEach((item, index) => {
    const where = Array.isArray(raw) ? `${file}: [${index}]` : file;
    try {
      events.push(parseEvent(item, { receivedAt: now + index, position: index }));
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      const type = error.detailType ? ` "${error.detailType}"` : '';
      for (const issue of error.issues) problems.push(`${where}${type} ${formatIssue(issue)}`);
    }
  });
  if (problems.length > 0) throw new CliInputError(problems);
  const keys = [...new Set(events.map(subjectKey))];
  if (keys.length > 1) throw new CliInputError([`${file}: events of several subjects (${keys.join(', ')}); one file holds one subject's history`]);
  return { subject: foldSubject(events), events };
};
