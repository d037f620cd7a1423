/**
 * README.md as the README test reads it: sections (`<!-- section: NAME -->`, text before the first
 * marker is `intro`), their fenced `bash` blocks, and each block's commands as a shell would see them
 * (`\` continuations joined, `# comments` split off and kept: a comment may state what the command
 * promises, such as `# exit code 2`).
 */
export interface ReadmeCommand {
  section: string;
  /** The command line as a shell runs it (continuations joined, comment removed). */
  command: string;
  /** The trailing `# comment`, without the `#`. */
  comment: string;
  /** 1-based line in README.md where the command starts. */
  line: number;
}

/** Where a `#` starts a comment: at a word start, outside quotes (bash's rule). */
const commentStart = (line: string): number => {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return i;
  }
  return -1;
};

export const readmeCommands = (markdown: string): ReadmeCommand[] => {
  const commands: ReadmeCommand[] = [];
  let section = 'intro';
  let inBash = false;
  let inFence = false;
  let pending: { text: string; comment: string; line: number } | undefined;
  markdown.split('\n').forEach((raw, index) => {
    const marker = raw.match(/^<!--\s*section:\s*([\w-]+)\s*-->/);
    if (marker && !inFence) section = marker[1];
    if (/^```/.test(raw)) {
      inFence = !inFence;
      inBash = inFence && /^```bash\s*$/.test(raw);
      return;
    }
    if (!inBash) return;
    const cut = commentStart(raw);
    const code = (cut >= 0 ? raw.slice(0, cut) : raw).trimEnd();
    const comment = cut >= 0 ? raw.slice(cut + 1).trim() : '';
    if (!pending && code.trim() === '') return;
    pending ??= { text: '', comment: '', line: index + 1 };
    const continued = code.endsWith('\\');
    pending.text += `${continued ? code.slice(0, -1) : code} `;
    if (comment) pending.comment = pending.comment ? `${pending.comment} ${comment}` : comment;
    if (!continued) {
      commands.push({ section, command: pending.text.replace(/\s+/g, ' ').trim(), comment: pending.comment, line: pending.line });
      pending = undefined;
    }
  });
  return commands;
};

/** Splits a command line into words as bash would for the quoting the README uses ('...', "...", \). */
export const shellWords = (command: string): string[] => {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; command[i] !== '"'; i++) word += command[i] === '\\' && /["\\$`]/.test(command[i + 1]) ? command[++i] : command[i];
    } else if (c === '\\') word = (word ?? '') + command[++i];
    else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
};

/** The value after `--name` in a word list. */
export const optionOf = (words: readonly string[], name: string): string | undefined => {
  const i = words.indexOf(name);
  return i >= 0 ? words[i + 1] : undefined;
};
