/**
 * Loads a graph from local files: graph files (YAML/JSON) read whole, customers.csv and usage.csv
 * streamed row by row so that a million customers never sit in memory as one string.
 */
import { constants, createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { CUSTOMERS_CSV_HEADER, GraphBuilder, USAGE_CSV_HEADER } from '../domain/graph/builder.ts';
import { readCsvRows } from '../domain/graph/csv.ts';
import { GraphValidationError } from '../domain/graph/errors.ts';
import type { Graph } from '../domain/model.ts';

export interface GraphFiles {
  graphFiles: string[];
  customersCsv?: string;
  usageCsv?: string;
}

const unreadable = (file: string, error: unknown) =>
  new GraphValidationError([
    { file, path: '(file)', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path` },
  ]);

const readCsv = async (file: string, header: readonly string[], onRow: (row: string[], line: number) => void) => {
  await access(file, constants.R_OK).catch((error) => Promise.reject(unreadable(file, error)));
  return readCsvRows(createReadStream(file, { highWaterMark: 1 << 20 }), file, header, onRow);
};

export const loadGraph = async (input: GraphFiles): Promise<{ graph: Graph; warnings: string[] }> => {
  const builder = new GraphBuilder();
  for (const file of input.graphFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      builder.problem(unreadable(file, error).problems[0]);
      continue;
    }
    builder.addText(file, text);
  }
  const absorb = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof GraphValidationError)) throw error;
      for (const p of error.problems) builder.problem(p);
    }
  };
  if (input.customersCsv) {
    const file = input.customersCsv;
    await absorb(() => readCsv(file, CUSTOMERS_CSV_HEADER, (row, line) => builder.addCustomerRow(file, line, row)));
  }
  if (input.usageCsv) {
    const file = input.usageCsv;
    await absorb(() => readCsv(file, USAGE_CSV_HEADER, (row, line) => builder.addUsageRow(file, line, row)));
  }
  return builder.build();
};
