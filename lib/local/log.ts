/**
 * The local runtime's own log lines (not the handlers' Powertools logs). An error message can quote
 * whatever it failed on, so contact details are masked in every line before it is written: e-mail
 * addresses and international phone numbers (+...) by their shape. (Push tokens have no shape to find them by: nothing
 * here puts one in a message.)
 */
const EMAIL = /[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d ().-]{6,}\d/g;

export const withoutContactDetails = (text: string): string => text.replace(EMAIL, '<e-mail>').replace(PHONE, '<phone>');

/** One line for an error of any kind: its name and message, never a stack of personal data. */
export const describeError = (error: unknown): string =>
  withoutContactDetails(error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`);

export type Log = (line: string) => void;

export const stdoutLog: Log = (line) => process.stdout.write(`${withoutContactDetails(line)}\n`);
