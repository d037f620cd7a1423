/**
 * The placeholder language of notice templates, kept deliberately small so that a translator needs
 * nothing else: `{{name}}` inserts a value, `{{#name}}…{{/name}}` keeps its content only when the value
 * is known, `{{^name}}…{{/name}}` only when it is not. No expressions, partials or HTML: output is plain
 * text, and the e-mail's HTML part is derived from it with everything escaped.
 */

export type TemplateNode =
  | string
  | { readonly name: string }
  | { readonly section: string; readonly inverted: boolean; readonly children: readonly TemplateNode[] };

export interface ParsedTemplate {
  readonly nodes: readonly TemplateNode[];
  /** Every placeholder and section name used, in order of first use. */
  readonly names: readonly string[];
  /** What is malformed (an unclosed `{{`, a section never closed or closed out of order), each with its fix. */
  readonly problems: readonly { message: string; fix: string }[];
}

/** Values by name; `undefined` or `''` means unknown: sections drop, placeholders print the fallback. */
export type TemplateValues = Readonly<Record<string, string | undefined>>;

const TAG = /\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

interface OpenSection {
  section: string;
  inverted: boolean;
  children: TemplateNode[];
}

export const parseTemplate = (source: string): ParsedTemplate => {
  const problems: { message: string; fix: string }[] = [];
  const names = new Set<string>();
  const root: TemplateNode[] = [];
  const open: OpenSection[] = [];
  const into = () => open.at(-1)?.children ?? root;
  const literal = (text: string) => {
    if (text.includes('{{')) problems.push({ message: '"{{" is never closed', fix: 'write placeholders as {{name}}' });
    if (text !== '') into().push(text);
  };
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    literal(source.slice(last, match.index));
    last = match.index + match[0].length;
    const [tag, sigil, name] = match;
    if (!NAME.test(name)) {
      problems.push({ message: `${tag} is not a placeholder`, fix: 'names are letters and digits, e.g. {{touchpoints}}' });
      continue;
    }
    names.add(name);
    if (sigil === '') into().push({ name });
    else if (sigil === '#' || sigil === '^') open.push({ section: name, inverted: sigil === '^', children: [] });
    else if (!open.some((s) => s.section === name))
      problems.push({ message: `{{/${name}}} closes a section that is not open`, fix: `remove it or add {{#${name}}} before it` });
    else {
      // Close inner sections left open (each reported) up to the one named, so later text still parses.
      for (;;) {
        const closed = open.pop()!;
        const parent = open.at(-1)?.children ?? root;
        parent.push({ section: closed.section, inverted: closed.inverted, children: closed.children });
        if (closed.section === name) break;
        problems.push({
          message: `{{${closed.inverted ? '^' : '#'}${closed.section}}} is closed by {{/${name}}}`,
          fix: `add {{/${closed.section}}} before {{/${name}}}`,
        });
      }
    }
  }
  literal(source.slice(last));
  for (const s of open.reverse()) problems.push({ message: `{{${s.inverted ? '^' : '#'}${s.section}}} is never closed`, fix: `add {{/${s.section}}}` });
  return { nodes: root, names: [...names], problems };
};

const known = (value: string | undefined): value is string => value !== undefined && value !== '';

export const renderTemplate = (nodes: readonly TemplateNode[], values: TemplateValues, fallbacks: TemplateValues = {}): string => {
  let out = '';
  for (const node of nodes) {
    if (typeof node === 'string') out += node;
    else if ('name' in node) out += known(values[node.name]) ? values[node.name] : (fallbacks[node.name] ?? '');
    else if (known(values[node.section]) !== node.inverted) out += renderTemplate(node.children, values, fallbacks);
  }
  return out;
};
