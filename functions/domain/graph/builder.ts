/**
 * Assembles a Graph from graph documents and CSV rows, collecting every problem instead of stopping
 * at the first, so that `impact graph validate` can list them all and nothing is half-built.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  NODE_ID_PATTERN,
  NOTIFY_CHANNELS,
  type Component,
  type Customer,
  type Dependency,
  type Graph,
  type NodeId,
  type NotifyChannel,
  type Usage,
} from '../model.ts';
import { shown } from '../bad-value.ts';
import { graphDocumentSchema, type CustomerEntry, type DependencyEntry, type GraphDocument } from './document.ts';
import { GraphValidationError, type GraphProblem } from './errors.ts';
import { findCycles } from './cycles.ts';
import { intakeNameFields, validateIntakeNames } from '../intake/catalog.ts';

/** Beyond this many problems the list is cut (a broken million-row CSV would otherwise flood stderr). */
export const MAX_PROBLEMS = 200;

export const CUSTOMERS_CSV_HEADER = ['id', 'segment', 'locale', 'timeZone', 'email', 'phone', 'push', 'channels', 'optOut', 'quietStart', 'quietEnd'] as const;
export const USAGE_CSV_HEADER = ['customerId', 'touchpoint', 'from', 'to'] as const;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DEFAULT_CHANNELS: NotifyChannel[] = ['email'];

const SECTIONS = ['components', 'touchpoints', 'notificationChannels', 'customers'] as const;

/** Where a problem is: a path in a graph file, or a CSV line number (its text made only when needed). */
type Where = string | number;
const where = (at: Where): string => (typeof at === 'number' ? `line ${at}` : at);

export const normaliseDependency = (entry: DependencyEntry): Dependency => {
  if (typeof entry === 'string') return { kind: 'node', id: entry, soft: false };
  if ('anyOf' in entry) return { kind: 'anyOf', ids: [...entry.anyOf], soft: entry.type === 'soft' };
  return { kind: 'node', id: entry.id, soft: entry.type === 'soft' };
};

export const dependencyIds = (dep: Dependency): NodeId[] => (dep.kind === 'node' ? [dep.id] : dep.ids);

const isIntakeNameField = (key: PropertyKey | undefined): boolean => typeof key === 'string' && Object.hasOwn(intakeNameFields, key);

const zodPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');

/**
 * A customer with every field present (absent ones undefined): a million records of ONE hidden class
 * keep property access monomorphic in the impact join (docs/decisions.md, Graphs).
 */
const customerRecord = (c: Customer): Customer => ({
  id: c.id,
  segment: c.segment,
  locale: c.locale,
  timeZone: c.timeZone,
  contacts: { email: c.contacts.email, phone: c.contacts.phone, push: c.contacts.push },
  channels: c.channels,
  optOut: c.optOut,
  quietHours: c.quietHours,
});

export class GraphBuilder {
  readonly graph: Graph = {
    components: new Map(),
    touchpoints: new Map(),
    notificationChannels: new Map(),
    customers: new Map(),
    usagesByTouchpoint: new Map(),
    customerList: [],
  };
  private readonly problems: GraphProblem[] = [];
  private problemCount = 0;
  private readonly pendingRefs: { file: string; path: string; id: string; ref: NodeId }[] = [];
  private readonly pendingUses: { file: string; path: string; usage: Usage }[] = [];
  private readonly nodeOrigin = new Map<NodeId, string>();
  private readonly brokenIds = new Set<NodeId>();
  private readonly channelSets = new Map<string, NotifyChannel[]>();
  private readonly validZones = new Map<string, boolean>();
  private readonly interned = new Map<string, string>();
  private readonly ordinals = new Map<string, number>();

  /** One copy of each short repeated value (segment, locale, zone): a million customers share a handful. */
  private intern(value: string): string {
    let kept = this.interned.get(value);
    if (kept === undefined) this.interned.set(value, (kept = value));
    return kept;
  }

  problem(p: GraphProblem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
  }

  get hasProblems(): boolean {
    return this.problemCount > 0;
  }

  /** Parses one YAML or JSON graph file (JSON is YAML, so one parser reads both). */
  addText(file: string, text: string): void {
    let data: unknown;
    try {
      // logLevel error: a tag YAML does not know (!ref) is read as plain text, not printed as a process warning.
      data = parseYaml(text, { prettyErrors: true, logLevel: 'error' });
    } catch (error) {
      this.problem({ file, path: '(file)', message: `not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}` });
      return;
    }
    this.addDocument(file, data ?? {});
  }

  /**
   * Validates each entry on its own so that one bad entry does not hide the problems of the others;
   * valid entries are still collected (and cross-checked), invalid ones are reported and left out.
   */
  addDocument(file: string, data: unknown): void {
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      this.problem({
        file,
        path: '(root)',
        message: `${shown(data)} is not a mapping; a graph file maps components, touchpoints, notificationChannels, customers to lists`,
      });
      return;
    }
    const doc = data as Record<string, unknown>;
    const problemsBefore = this.problemCount;
    const unknownKeys = Object.keys(doc).filter((k) => !(k in graphDocumentSchema.shape));
    if (unknownKeys.length > 0) {
      this.problem({
        file,
        path: '(root)',
        message: `unknown section(s) ${unknownKeys.join(', ')}; use components, touchpoints, notificationChannels, customers`,
      });
    }
    // Tool names (ci, services, alerts, awsHealth) are reported by intake's own check, which shows the bad value.
    for (const p of validateIntakeNames(doc)) {
      this.problem({
        file,
        path: p.path,
        ...(p.id !== undefined ? { id: p.id } : {}),
        message: p.value === undefined ? p.message : `${shown(p.value)} ${p.message}`,
      });
    }
    const valid: GraphDocument = {};
    for (const key of SECTIONS) {
      const list = doc[key];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        this.problem({ file, path: key, message: `${shown(list)} is not a list; give ${key} as a list` });
        continue;
      }
      const schema = graphDocumentSchema.shape[key].unwrap().element;
      const kept: unknown[] = [];
      list.forEach((entry, index) => {
        const result = schema.safeParse(entry);
        if (result.success) {
          kept.push(result.data);
          return;
        }
        const id = entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
        // An entry that failed is still a node others may name: do not report those names as unknown.
        if (id !== undefined && (key === 'components' || key === 'touchpoints')) this.brokenIds.add(id);
        for (const issue of result.error.issues) {
          if (!isIntakeNameField(issue.path[0])) this.problem(this.fromZod(file, [key, index, ...issue.path], id, issue));
        }
      });
      (valid as Record<string, unknown[]>)[key] = kept;
    }
    const entries = SECTIONS.reduce((n, key) => n + (Array.isArray(doc[key]) ? (doc[key] as unknown[]).length : 0), 0);
    // An empty file is most likely the wrong file (or a failed export): say so rather than call it valid.
    if (entries === 0 && this.problemCount === problemsBefore) {
      this.problem({
        file,
        path: '(file)',
        message: 'the file defines nothing: no components, touchpoints, notification channels or customers; give the right file, or add those lists to it',
      });
    }
    this.addParsed(file, valid);
  }

  private fromZod(file: string, path: PropertyKey[], id: string | undefined, issue: z.core.$ZodIssue): GraphProblem {
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}; remove or rename them` : issue.message;
    return { file, path: zodPath(path), ...(id !== undefined ? { id } : {}), message };
  }

  private claimId(file: string, path: string, id: NodeId): boolean {
    const first = this.nodeOrigin.get(id);
    if (first !== undefined) {
      this.problem({ file, path, id, message: `id repeats (first defined at ${first}); ids must be unique across components and touchpoints` });
      return false;
    }
    this.nodeOrigin.set(id, `${file}: ${path}`);
    return true;
  }

  private dependencies(file: string, path: string, id: string, entries: DependencyEntry[] | undefined): Dependency[] {
    return (entries ?? []).map((entry, i) => {
      const dep = normaliseDependency(entry);
      for (const ref of dependencyIds(dep)) this.pendingRefs.push({ file, path: `${path}.dependsOn[${i}]`, id, ref });
      return dep;
    });
  }

  private addParsed(file: string, doc: GraphDocument): void {
    doc.components?.forEach((c, i) => {
      const path = `components[${i}]`;
      if (!this.claimId(file, path, c.id)) return;
      const component: Component = { id: c.id, dependsOn: this.dependencies(file, path, c.id, c.dependsOn) };
      if (c.name !== undefined) component.name = c.name;
      if (c.team !== undefined) component.team = c.team;
      if (c.alarms !== undefined) component.alarms = c.alarms;
      if (c.ci !== undefined) component.ci = c.ci;
      if (c.services !== undefined) component.services = c.services;
      if (c.alerts !== undefined) component.alerts = c.alerts;
      if (c.awsHealth !== undefined) component.awsHealth = c.awsHealth;
      this.graph.components.set(c.id, component);
    });
    doc.touchpoints?.forEach((t, i) => {
      const path = `touchpoints[${i}]`;
      if (!this.claimId(file, path, t.id)) return;
      const { dependsOn, ...rest } = t;
      this.graph.touchpoints.set(t.id, { ...rest, dependsOn: this.dependencies(file, path, t.id, dependsOn) });
    });
    doc.notificationChannels?.forEach((n, i) => {
      const path = `notificationChannels[${i}]`;
      if (this.graph.notificationChannels.has(n.channel)) {
        this.problem({ file, path, id: n.channel, message: 'notification channel defined twice; merge the two entries' });
        return;
      }
      this.graph.notificationChannels.set(n.channel, { channel: n.channel, dependsOn: this.dependencies(file, path, n.channel, n.dependsOn) });
    });
    doc.customers?.forEach((c, i) => {
      this.addInlineCustomer(file, `customers[${i}]`, c);
    });
  }

  private addInlineCustomer(file: string, path: string, c: CustomerEntry): void {
    const customer = customerRecord({
      ...c,
      contacts: { email: c.contacts?.email, phone: c.contacts?.phone, push: c.contacts?.push },
      channels: c.channels ?? DEFAULT_CHANNELS,
      optOut: c.optOut ?? false,
    });
    if (!this.addCustomer(file, path, customer)) return;
    c.uses?.forEach((u, j) => {
      const usePath = `${path}.uses[${j}]`;
      const entry = typeof u === 'string' ? { touchpoint: u } : u;
      const usage = this.usage(file, usePath, c.id, entry.touchpoint, entry.from, entry.to);
      if (usage) this.pendingUses.push({ file, path: usePath, usage });
    });
  }

  private addCustomer(file: string, at: Where, customer: Customer): boolean {
    if (this.graph.customers.has(customer.id)) {
      this.problem({ file, path: where(at), id: customer.id, message: 'customer id repeats; each customer once' });
      return false;
    }
    if (customer.timeZone !== undefined && !this.isTimeZone(customer.timeZone)) {
      this.problem({
        file,
        path: where(at),
        id: customer.id,
        message: `${shown(customer.timeZone)} is not a time zone; use an IANA name such as Europe/Amsterdam`,
      });
      return false;
    }
    this.graph.customers.set(customer.id, customer);
    this.ordinals.set(customer.id, this.graph.customerList!.length);
    this.graph.customerList!.push(customer);
    return true;
  }

  private isTimeZone(zone: string): boolean {
    let ok = this.validZones.get(zone);
    if (ok === undefined) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        ok = true;
      } catch {
        ok = false;
      }
      this.validZones.set(zone, ok);
    }
    return ok;
  }

  /** Bookings repeat departure times: parse each distinct time text once (bounded memo). */
  private readonly times = new Map<string, number>();

  private time(file: string, at: Where, id: string, field: string, value: string | undefined): number | undefined | null {
    if (value === undefined || value === '') return undefined;
    let ms = this.times.get(value);
    if (ms === undefined) {
      ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
      if (this.times.size > 100_000) this.times.clear();
      this.times.set(value, ms);
    }
    if (Number.isNaN(ms)) {
      this.problem({
        file,
        path: `${where(at)}.${field}`,
        id,
        message: `${shown(value)} is not a time (it does not parse); use ISO 8601 such as 2026-12-05T06:00:00Z`,
      });
      return null;
    }
    return ms;
  }

  private usage(file: string, at: Where, customerId: string, touchpoint: string, fromText?: string, toText?: string): Usage | undefined {
    const from = this.time(file, at, customerId, 'from', fromText);
    const to = this.time(file, at, customerId, 'to', toText);
    if (from === null || to === null) return undefined;
    if (from !== undefined && to !== undefined && to <= from) {
      this.problem({ file, path: where(at), id: customerId, message: `usage ends (${toText}) before it starts (${fromText}); swap or fix the times` });
      return undefined;
    }
    // One object shape for every usage (absent bounds are undefined): monomorphic access in the join.
    return { customerId, touchpoint, from, to, ordinal: undefined };
  }

  private channelsOf(file: string, at: Where, id: string, text: string): NotifyChannel[] | undefined {
    if (text === '') return DEFAULT_CHANNELS;
    let channels = this.channelSets.get(text);
    if (channels) return channels;
    const words = text.split('|');
    const bad = words.filter((w) => !(NOTIFY_CHANNELS as readonly string[]).includes(w));
    if (bad.length > 0) {
      this.problem({
        file,
        path: `${where(at)}.channels`,
        id,
        message: `${bad.map(shown).join(', ')} ${bad.length > 1 ? 'are not notification channels' : 'is not a notification channel'}; use ${NOTIFY_CHANNELS.join(', ')} separated by |`,
      });
      return undefined;
    }
    channels = words as NotifyChannel[];
    this.channelSets.set(text, channels); // shared: a million customers use a handful of preference lists
    return channels;
  }

  /** One row of customers.csv (columns in CUSTOMERS_CSV_HEADER order); `line` is 1-based. */
  addCustomerRow(file: string, line: number, row: string[]): void {
    const [id, segment, locale, timeZone, email, phone, push, channelsText, optOutText, quietStart, quietEnd] = row;
    if (row.length !== CUSTOMERS_CSV_HEADER.length) {
      this.problem({
        file,
        path: where(line),
        id,
        message: `has ${row.length} columns, expected ${CUSTOMERS_CSV_HEADER.length} (${CUSTOMERS_CSV_HEADER.join(',')})`,
      });
      return;
    }
    if (!NODE_ID_PATTERN.test(id)) {
      this.problem({
        file,
        path: `${where(line)}.id`,
        id,
        message: `${shown(id)} is not a valid customer id; ids match ${NODE_ID_PATTERN.source} (letters, digits, . _ : -, 1-128 chars)`,
      });
      return;
    }
    const channels = this.channelsOf(file, line, id, channelsText);
    const optOut = /^(true|yes|1)$/i.test(optOutText) ? true : /^(false|no|0|)$/i.test(optOutText) ? false : undefined;
    if (optOut === undefined)
      this.problem({
        file,
        path: `${where(line)}.optOut`,
        id,
        message: `${shown(optOutText)} is not true or false; use true or false (yes/no, 1/0; empty is false)`,
      });
    const quiet = quietStart || quietEnd;
    if (quiet && !(HHMM.test(quietStart) && HHMM.test(quietEnd))) {
      this.problem({
        file,
        path: `${where(line)}.quietStart`,
        id,
        message: `quiet hours ${shown(quietStart)} to ${shown(quietEnd)} are not two times of day; give both as HH:MM (24 h), or leave both empty`,
      });
      return;
    }
    if (!channels || optOut === undefined) return;
    const customer = customerRecord({
      id,
      segment: segment ? this.intern(segment) : undefined,
      locale: locale ? this.intern(locale) : undefined,
      timeZone: timeZone ? this.intern(timeZone) : undefined,
      contacts: { email: email || undefined, phone: phone || undefined, push: push || undefined },
      channels,
      optOut,
      quietHours: quiet ? { start: this.intern(quietStart), end: this.intern(quietEnd) } : undefined,
    });
    this.addCustomer(file, line, customer);
  }

  /** One row of usage.csv; customers and graph files must have been added first. */
  addUsageRow(file: string, line: number, row: string[]): void {
    const [customerId, touchpoint, from, to] = row;
    if (row.length !== USAGE_CSV_HEADER.length) {
      this.problem({
        file,
        path: where(line),
        id: customerId,
        message: `has ${row.length} columns, expected ${USAGE_CSV_HEADER.length} (${USAGE_CSV_HEADER.join(',')})`,
      });
      return;
    }
    const ordinal = this.ordinals.get(customerId);
    if (ordinal === undefined) {
      this.problem({
        file,
        path: `${where(line)}.customerId`,
        id: customerId,
        message: `unknown customer ${shown(customerId)}; add it to customers.csv or the graph file`,
      });
      return;
    }
    const known = this.graph.touchpoints.get(touchpoint);
    if (!known) {
      this.problem({ file, path: `${where(line)}.touchpoint`, id: customerId, message: this.notATouchpoint(touchpoint) });
      return;
    }
    // Reuse the customer's and touchpoint's own id strings: two million usages, no new copies.
    const usage = this.usage(file, line, this.graph.customerList![ordinal].id, known.id, from, to);
    if (usage) this.index(usage, ordinal);
  }

  private notATouchpoint(ref: string): string {
    return this.graph.components.has(ref)
      ? `${JSON.stringify(ref)} is a component, not a touchpoint; customers use touchpoints`
      : `unknown touchpoint ${JSON.stringify(ref)}; define it under touchpoints`;
  }

  private index(usage: Usage, ordinal = this.ordinals.get(usage.customerId)): void {
    usage.ordinal = ordinal;
    let list = this.graph.usagesByTouchpoint.get(usage.touchpoint);
    if (!list) this.graph.usagesByTouchpoint.set(usage.touchpoint, (list = []));
    list.push(usage);
  }

  /**
   * Identical usages (customer, touchpoint, from, to) are one usage: exports often repeat a row, and
   * the store keys a usage by exactly these, so a repeat would be one item written twice. Returns how
   * many were dropped. Only a customer's second usage of a touchpoint costs a list; most have one.
   */
  private dropRepeatedUsages(): number {
    let dropped = 0;
    for (const list of this.graph.usagesByTouchpoint.values()) {
      const first = new Map<number, Usage>();
      const more = new Map<number, Usage[]>();
      let kept = 0;
      for (const usage of list) {
        const ordinal = usage.ordinal!;
        const earlier = first.get(ordinal);
        if (earlier === undefined) first.set(ordinal, usage);
        else {
          const same = (u: Usage) => u.from === usage.from && u.to === usage.to;
          const others = more.get(ordinal);
          if (same(earlier) || others?.some(same)) {
            dropped++;
            continue;
          }
          if (others) others.push(usage);
          else more.set(ordinal, [usage]);
        }
        list[kept++] = usage;
      }
      list.length = kept;
    }
    return dropped;
  }

  /** Puts customerList in id order (renumbering usage ordinals) so joins come out sorted without a sort. */
  private sortCustomerList(): void {
    const list = this.graph.customerList!;
    let sorted = true;
    for (let i = 1; i < list.length && sorted; i++) sorted = list[i - 1].id < list[i].id;
    if (sorted) return;
    const order = list.map((_, i) => i).sort((a, b) => (list[a].id < list[b].id ? -1 : 1));
    const renumber = new Int32Array(list.length);
    order.forEach((old, rank) => {
      renumber[old] = rank;
    });
    this.graph.customerList = order.map((o) => list[o]);
    for (const usages of this.graph.usagesByTouchpoint.values()) for (const u of usages) u.ordinal = renumber[u.ordinal!];
  }

  /** Checks cross-references and returns the graph, or throws GraphValidationError listing every problem. */
  build(): { graph: Graph; warnings: string[] } {
    const isNode = (ref: NodeId) => this.graph.components.has(ref) || this.graph.touchpoints.has(ref) || this.brokenIds.has(ref);
    for (const { file, path, id, ref } of this.pendingRefs) {
      if (!isNode(ref)) this.problem({ file, path, id, message: `dependsOn names unknown node ${JSON.stringify(ref)}; define it or fix the id` });
    }
    for (const { file, path, usage } of this.pendingUses) {
      if (this.graph.touchpoints.has(usage.touchpoint)) this.index(usage);
      else if (this.brokenIds.has(usage.touchpoint)) continue;
      else this.problem({ file, path, id: usage.customerId, message: this.notATouchpoint(usage.touchpoint) });
    }
    this.pendingRefs.length = 0;
    this.pendingUses.length = 0;
    if (this.problemCount > 0) throw new GraphValidationError(this.problems, this.problemCount);
    const repeated = this.dropRepeatedUsages();
    this.sortCustomerList();
    const warnings = findCycles(this.graph).map(
      ({ path, others }) =>
        `dependency cycle: ${[...path, path[0]].join(' -> ')}${others.length > 0 ? ` (also in this cycle group: ${others.join(', ')})` : ''} (allowed; effects are the least fixpoint)`,
    );
    if (repeated > 0) warnings.push(`${repeated} repeated usage${repeated > 1 ? 's' : ''} (same customer, touchpoint and window) counted once`);
    return { graph: this.graph, warnings };
  }
}

/** In-memory variant for tests and the API: several graph files given as text. */
export const parseGraphDocuments = (docs: { file: string; text: string }[]): { graph: Graph; warnings: string[] } => {
  const builder = new GraphBuilder();
  for (const doc of docs) builder.addText(doc.file, doc.text);
  return builder.build();
};
