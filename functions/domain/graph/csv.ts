/** Streaming readers for customers.csv and usage.csv: rows are handed on one by one, never buffered whole. */
import { parse } from 'csv-parse';
import { GraphValidationError } from './errors.ts';

/**
 * Reads a CSV stream, checks its header is exactly `header`, and calls onRow for every data row with
 * its 1-based line number. Rows that are completely empty are skipped.
 */
export const readCsvRows = async (
  stream: AsyncIterable<Buffer | string>,
  file: string,
  header: readonly string[],
  onRow: (row: string[], line: number) => void,
): Promise<number> => {
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true });
  const feeding = (async () => {
    try {
      for await (const chunk of stream) if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  let line = 0;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const first = line === 0;
      line = info.lines;
      if (first) {
        if (record.join(',') !== header.join(',')) {
          throw new GraphValidationError([
            { file, path: 'line 1', message: `header is "${record.join(',')}"; it must be exactly "${header.join(',')}"` },
          ]);
        }
        continue;
      }
      rows++;
      onRow(record, line);
    }
  } catch (error) {
    if (error instanceof GraphValidationError) throw error;
    throw new GraphValidationError([{ file, path: `line ${line + 1}`, message: `not valid CSV: ${(error as Error).message}` }]);
  } finally {
    await feeding;
  }
  if (line === 0) throw new GraphValidationError([{ file, path: 'line 1', message: `empty file; it needs the header "${header.join(',')}"` }]);
  return rows;
};
