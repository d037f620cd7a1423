/**
 * How validation messages name a bad value: `"hologram" is not a channel; use one of web, mobile, ...`.
 * The value is shown as JSON, cut short, so a message points at the mistake without repeating a document.
 */

const MAX_SHOWN = 60;

export const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
};

/** What zod hands an error function (only the part the messages need). */
interface Issue {
  input?: unknown;
}

/**
 * A zod error function: "is required: <required>" when the field is absent, else
 * `<value> is not <what>; <fix>`.
 */
export const badValue =
  (what: string, fix: string, required = fix) =>
  (issue: Issue): string =>
    issue.input === undefined ? `is required: ${required}` : `${shown(issue.input)} is not ${what}; ${fix}`;

/** The same for a closed list of words (an enum). */
export const notOneOf = (what: string, words: readonly string[], note = '') =>
  badValue(what, `use one of ${words.join(', ')}${note}`, `one of ${words.join(', ')}${note}`);
