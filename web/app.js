// @ts-check
// The support console: plain ES module, no dependencies, no build. It talks to the API under ./api (local
// runtime) or to window.IMPACT_API (CloudFront deployment, with a Cognito token in sessionStorage).
// Its types are the API's own response types (functions/handlers/api/*): `npm run typecheck` fails
// here when the API changes shape.

/** @typedef {import('../functions/handlers/api/subjects.ts').SubjectListView} SubjectListView */
/** @typedef {import('../functions/handlers/api/subjects.ts').SubjectView} SubjectView */
/** @typedef {import('../functions/handlers/api/subjects.ts').AffectedCustomersPage} AffectedCustomersPage */
/** @typedef {import('../functions/handlers/api/customers.ts').CallerView} CallerView */
/** @typedef {import('../functions/handlers/api/deliveries.ts').SubjectDeliveriesView} SubjectDeliveriesView */
/** @typedef {import('../functions/handlers/api/deliveries.ts').UnreachedPage} UnreachedPage */
/** @typedef {import('../functions/handlers/api/deliveries.ts').CustomerDeliveriesView} CustomerDeliveriesView */
/** @typedef {import('../functions/handlers/api/metrics.ts').ImpactMetrics} ImpactMetrics */
/** @typedef {import('../functions/handlers/api/what-if.ts').WhatIfView} WhatIfView */
/** @typedef {import('../functions/handlers/api/what-if.ts').AssessView} AssessView */
/** @typedef {import('../functions/handlers/api/approvals.ts').DraftListView} DraftListView */
/** @typedef {import('../functions/handlers/api/approvals.ts').ApprovalAcceptedView} ApprovalAcceptedView */
/** @typedef {import('../functions/handlers/api/me.ts').MeView} MeView */
/** @typedef {import('../functions/handlers/api/subjects.ts').HeldView} HeldView */
/** @typedef {HeldView['previews'][number]} Preview */
/** @typedef {import('../functions/handlers/api/events.ts').EventAcceptedView} EventAcceptedView */
/** @typedef {import('../functions/handlers/api/http.ts').ErrorView} ErrorView */
/** @typedef {SubjectListView['subjects'][number]} ListedSubject */
/**
 * What the local runtime serves from its outbox (`GET /api/outbox`, local only): message attributes and
 * body without the address or the text.
 * @typedef {{ topic: string, team?: string, kind?: string, customerId?: string, channel?: string, subject?: string | { type: string, id: string } }} OutboxMessage
 */

const API = window.IMPACT_API ?? './api';

// In AWS the console signs in through the Cognito hosted UI (implicit flow): the ID token comes back
// in the URL fragment and is kept for this tab only.
// A subject link (`#change#CHG-1`, as chat briefings give it) survives the round trip as OAuth's `state`.
const signIn = window.IMPACT_SIGN_IN;
// While the browser leaves for the hosted UI the page must not call the API unsigned.
let leavingToSignIn = false;
if (signIn) {
  const answer = new URLSearchParams(location.hash.slice(1));
  const token = answer.get('id_token');
  if (token) {
    sessionStorage.setItem('impact-token', token);
    const wanted = answer.get('state') ?? '';
    history.replaceState(null, '', location.pathname + (wanted.startsWith('#') ? wanted : ''));
  } else if (!sessionStorage.getItem('impact-token')) {
    const state = location.hash ? `&state=${encodeURIComponent(location.hash)}` : '';
    leavingToSignIn = true;
    location.assign(`${signIn}&redirect_uri=${encodeURIComponent(location.origin + location.pathname)}${state}`);
  }
}
const DAY = 86_400_000;

/**
 * The element the page is built around (every selector used here is in index.html).
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} sel
 * @returns {E}
 */
const $ = (sel) => /** @type {E} */ (document.querySelector(sel));

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | number)} children
 */
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
};

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {string} [text]
 */
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** @param {number | undefined} ms */
const when = (ms) => (ms === undefined || ms === null ? 'open-ended' : new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));

/** An error answer of the API, with its body (`error`, and `problems` for a 400). */
class ApiCallError extends Error {
  /** @param {string} message @param {Partial<ErrorView>} body */
  constructor(message, body) {
    super(message);
    this.name = 'ApiCallError';
    this.body = body;
  }
}

/**
 * Calls the API: JSON in and out, the sign-in token when there is one.
 * @param {string} path
 * @param {{ method?: 'GET' | 'POST', body?: unknown }} [request]
 * @returns {Promise<unknown>}
 */
const call = async (path, request = {}) => {
  const token = sessionStorage.getItem('impact-token');
  /** @type {Record<string, string>} */
  const headers = { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`${API}${path}`, {
    method: request.method ?? 'GET',
    headers,
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiCallError(body.error ?? res.statusText, body);
  return body;
};

/** The routes the console uses, each with the API's type for its answer. */
const api = {
  /** @param {number} from @param {number} to @returns {Promise<SubjectListView>} */
  changes: async (from, to) => /** @type {SubjectListView} */ (await call(`/changes?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`)),
  /** @returns {Promise<SubjectListView>} */
  openIncidents: async () => /** @type {SubjectListView} */ (await call('/incidents')),
  /** @param {string} type @param {string} id @returns {Promise<SubjectView>} */
  subject: async (type, id) => /** @type {SubjectView} */ (await call(`/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`)),
  /** @param {string} type @param {string} id @param {URLSearchParams} query @returns {Promise<AffectedCustomersPage>} */
  affected: async (type, id, query) =>
    /** @type {AffectedCustomersPage} */ (await call(`/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}/customers?${query}`)),
  /** @param {string} customerId @returns {Promise<CallerView>} */
  caller: async (customerId) => /** @type {CallerView} */ (await call(`/customers/${encodeURIComponent(customerId)}`)),
  /** @param {string} type @param {string} id @returns {Promise<SubjectDeliveriesView>} */
  deliveries: async (type, id) =>
    /** @type {SubjectDeliveriesView} */ (await call(`/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}/deliveries`)),
  /** @param {string} type @param {string} id @returns {Promise<UnreachedPage>} */
  unreached: async (type, id) =>
    /** @type {UnreachedPage} */ (await call(`/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}/unreached?limit=100`)),
  /** @param {string} customerId @returns {Promise<CustomerDeliveriesView>} */
  customerDeliveries: async (customerId) => /** @type {CustomerDeliveriesView} */ (await call(`/customers/${encodeURIComponent(customerId)}/deliveries`)),
  /** @returns {Promise<ImpactMetrics>} */
  metrics: async () => /** @type {ImpactMetrics} */ (await call('/metrics')),
  /** @param {unknown} event @returns {Promise<WhatIfView>} */
  whatIf: async (event) => /** @type {WhatIfView} */ (await call('/what-if', { method: 'POST', body: event })),
  /** @param {unknown} event @returns {Promise<AssessView>} */
  assess: async (event) => /** @type {AssessView} */ (await call('/assess', { method: 'POST', body: event })),
  /** @param {unknown} event @returns {Promise<EventAcceptedView>} */
  putEvent: async (event) => /** @type {EventAcceptedView} */ (await call('/events', { method: 'POST', body: event })),
  /** @returns {Promise<MeView>} */
  me: async () => /** @type {MeView} */ (await call('/me')),
  /** @returns {Promise<DraftListView>} */
  drafts: async () => /** @type {DraftListView} */ (await call('/drafts')),
  /** @param {string} type @param {string} id @param {string} note @returns {Promise<ApprovalAcceptedView>} */
  approve: async (type, id, note) =>
    /** @type {ApprovalAcceptedView} */ (
      await call(`/subjects/${encodeURIComponent(type)}/${encodeURIComponent(id)}/approve`, { method: 'POST', body: note ? { note } : {} })
    ),
};

/** Who is signed in and what they may do (GET /me); undefined until known. The API enforces it anyway. */
/** @type {MeView | undefined} */
let me;

/** @param {Record<string, number | undefined>} counts */
const countsText = (counts) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The timeline's days: from today's local midnight, eight days. */
const timelineRange = () => {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  return { from: start.getTime(), to: start.getTime() + 8 * DAY };
};

/** @param {ListedSubject[]} subjects */
const drawTimeline = (subjects) => {
  const { from, to } = timelineRange();
  // GET /changes gave those overlapping the days; a cancelled one is not drawn.
  const changes = subjects.filter((s) => s.status !== 'cancelled');
  const width = 800;
  const row = 22;
  const height = 30 + row * Math.max(changes.length, 1);
  const box = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${changes.length} changes in the next 7 days` });
  for (let d = 0; d <= 8; d++) {
    const x = (d / 8) * width;
    box.append(svg('line', { x1: x, y1: 16, x2: x, y2: height, stroke: '#d8dde3' }));
    if (d < 8) box.append(svg('text', { x: x + 3, y: 12 }, new Date(from + d * DAY).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' })));
  }
  changes.forEach((c, i) => {
    const x1 = Math.max(0, ((c.start - from) / (to - from)) * width);
    const x2 = Math.min(width, (((c.end ?? c.start + DAY) - from) / (to - from)) * width);
    const bar = svg('rect', {
      class: 'change',
      x: x1,
      y: 22 + i * row,
      width: Math.max(4, x2 - x1),
      height: row - 6,
      tabindex: 0,
      'data-subject': c.subjectKey,
    });
    bar.append(svg('title', {}, `${c.id} ${c.title ?? ''}: ${c.customers} customers`));
    bar.addEventListener('click', () => openSubject(c.type, c.id));
    bar.addEventListener('keydown', (e) => /** @type {KeyboardEvent} */ (e).key === 'Enter' && openSubject(c.type, c.id));
    box.append(bar, svg('text', { x: Math.min(x1 + 4, width - 200), y: 34 + i * row }, `${c.id} ${c.title ?? ''} (${c.customers})`));
  });
  $('#timeline').replaceChildren(changes.length ? box : el('p', { class: 'muted' }, 'No changes planned in the next 7 days.'));
  const links = changes.map((c) =>
    el('li', {}, el('a', { href: `#${c.subjectKey}`, 'data-open': c.subjectKey }, `${c.id} ${c.title ?? ''}`), ` ${when(c.start)}, ${c.customers} customers`),
  );
  $('#timeline').append(el('ul', { class: 'list', id: 'change-list' }, ...links));
};

/** @param {ListedSubject[]} open the open incidents (GET /incidents) */
const drawIncidents = (open) => {
  $('#incidents').replaceChildren(
    ...(open.length
      ? open.map((s) =>
          el(
            'li',
            {},
            el('a', { href: `#${s.subjectKey}`, 'data-open': s.subjectKey }, `${s.id} ${s.title ?? ''}`),
            ` ${s.severity ?? ''} since ${when(s.start)}, ${s.customers} customers${s.expectedResolutionAt !== undefined ? `, expected back ${when(s.expectedResolutionAt)}` : ''}`,
          ),
        )
      : [el('li', { class: 'muted' }, 'No open incidents.')]),
  );
};

/** @param {DraftListView['drafts']} drafts */
const drawDrafts = (drafts) => {
  $('#drafts').replaceChildren(
    ...(drafts.length
      ? drafts.map((d) =>
          el(
            'li',
            {},
            el('a', { href: `#${d.subjectKey}`, 'data-open': d.subjectKey }, `${d.id} ${d.title ?? ''}`),
            ` ${countsText(d.byKind)} to ${d.customers} customers (${d.unreachable} unreachable), held since ${when(d.since)}${d.draftedBy ? ` by ${d.draftedBy.name ?? d.draftedBy.id ?? d.draftedBy.type}` : ''}`,
          ),
        )
      : [el('li', { class: 'muted' }, 'No drafts.')]),
  );
};

const drawMe = async () => {
  me = await api.me().catch(() => undefined);
  $('#me').textContent = me ? `Signed in as ${me.id ?? 'unknown'} (${me.roles.join(', ') || 'no role'})` : '';
};

/**
 * A preview picker: one option per text (kind, locale, channel, effect, how many customers), the
 * chosen text below it as the customer would read it.
 * @param {Preview[]} previews
 * @param {string} id prefix of the element ids
 */
const previewPicker = (previews, id) => {
  if (previews.length === 0) return el('p', { class: 'muted' }, 'No customer can be reached: nothing would be sent.');
  const label = (/** @type {Preview} */ p) => `${p.kind} · ${p.requestedLocale} · ${p.channel} · ${p.effect} (${p.count} customer${p.count === 1 ? '' : 's'})`;
  const select = el('select', { id: `${id}-select`, 'aria-label': 'Which text' }, ...previews.map((p, i) => el('option', { value: String(i) }, label(p))));
  const body = el('div', { id: `${id}-text`, class: 'preview', 'aria-live': 'polite' });
  const show = () => {
    const p = previews[Number(/** @type {HTMLSelectElement} */ (select).value)];
    const meta = el('p', { class: 'meta' }, `from ${p.file}, e.g. customer ${p.sampleCustomerId}`);
    if (p.channel === 'email') body.replaceChildren(el('p', {}, el('strong', {}, 'Subject: '), p.subject), el('pre', {}, p.text), meta);
    else if (p.channel === 'sms')
      body.replaceChildren(
        el('pre', {}, p.text),
        el('p', { class: 'meta sms-parts' }, `${p.segments} SMS part${p.segments === 1 ? '' : 's'} (${p.encoding}), ${[...p.text].length} characters`),
        meta,
      );
    else body.replaceChildren(el('p', {}, el('strong', {}, p.title)), el('pre', {}, p.body), meta);
  };
  select.addEventListener('change', show);
  show();
  return el('div', {}, select, body);
};

/** @param {Record<string, number>} counts */
const total = (counts) => Object.values(counts).reduce((n, v) => n + v, 0);

/**
 * After an approval (an event: assess plans once it arrives, notify sends), shows the progress until the
 * notices held are counted as sent (or a minute has passed: approval plans again, and may send fewer),
 * then the subject as it is.
 * @param {string} type @param {string} id @param {number} expected notices sent about the subject once they are out
 */
const followApproval = async (type, id, expected) => {
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await api.subject(type, id);
    if (!s.held && total(s.noticesByKind) >= expected) break;
    $('#approve-result').textContent = s.held
      ? 'Approved: waiting for the pipeline to plan the notices.'
      : `Approved: sending (${countsText(s.noticesByKind)} so far).`;
  }
  await openSubject(type, id);
};

/**
 * A held plan's texts, or why there are none. That only some are previewed is said beside them: with
 * none to show, "the first 0" would mislead.
 * @param {HeldView} held
 */
const heldPreviews = (held) => {
  if (held.previewProblem) return [el('p', { class: 'error' }, held.previewProblem)];
  const note = `Only the first ${held.previews.length} texts are previewed (outages first); the counts above cover every notice.`;
  return [previewPicker(held.previews, 'held-preview'), ...(held.previewsTruncated ? [el('p', { id: 'held-truncated' }, note)] : [])];
};

/**
 * The held notices of a subject: counts, previews, and the approval (only offered to those who may).
 * @param {string} type @param {string} id @param {HeldView} held
 */
const heldBlock = (type, id, held) => {
  const approval = me?.may.approve
    ? el(
        'form',
        { id: 'approve' },
        el('label', {}, 'Note', el('input', { name: 'note', placeholder: 'optional' })),
        el('button', { type: 'submit' }, 'Approve and send'),
      )
    : el(
        'p',
        { class: 'muted', id: 'approve-denied' },
        `Only a change manager or an admin may approve; you are ${me?.roles.join(', ') || 'not signed in with a role'}.`,
      );
  approval.addEventListener('submit', async (e) => {
    e.preventDefault();
    const note = String(new FormData(/** @type {HTMLFormElement} */ (e.currentTarget)).get('note') ?? '').trim();
    const out = $('#approve-result');
    try {
      const before = (await api.subject(type, id)).noticesByKind;
      await api.approve(type, id, note);
      out.textContent = 'Approved: waiting for the pipeline to plan the notices.';
      await followApproval(type, id, total(before) + held.customers - held.unreachable);
    } catch (err) {
      out.replaceChildren(el('span', { class: 'error' }, messageOf(err)));
    }
  });
  return el(
    'div',
    { class: 'held', id: 'held' },
    el('h3', {}, 'Notices held for approval'),
    el(
      'p',
      { id: 'held-counts' },
      `${countsText(held.byKind)} to ${held.customers} customers, ${held.unreachable} unreachable; held since ${when(held.since)}`,
    ),
    ...heldPreviews(held),
    approval,
    el('p', { id: 'approve-result', 'aria-live': 'polite' }),
  );
};

/**
 * One dependency path drawn as a chain of boxes: changed node -> ... -> touchpoint.
 * @param {string[]} path
 */
const drawPath = (path) => {
  const w = 130;
  const box = svg('svg', { class: 'path', viewBox: `0 0 ${path.length * (w + 20)} 30`, role: 'img', 'aria-label': path.join(' to ') });
  path.forEach((node, i) => {
    const x = i * (w + 20);
    box.append(svg('rect', { x, y: 4, width: w, height: 22, rx: 4 }), svg('text', { x: x + 6, y: 19 }, node.length > 20 ? `${node.slice(0, 19)}…` : node));
    if (i > 0) box.append(svg('line', { x1: x - 20, y1: 15, x2: x, y2: 15, stroke: '#1f5fbf', 'marker-end': '' }));
  });
  return box;
};

/**
 * Who made a history entry, and in which tool: `Tenex Engineer in pagerduty` (names and ids only: an
 * actor's e-mail is not shown).
 * @param {SubjectView['history'][number]} h
 */
const whoDid = (h) => {
  const who = h.actor?.name ?? h.actor?.id ?? h.actor?.type ?? 'unknown';
  return `${who} in ${h.actor?.source ?? h.source}`;
};

/** @param {string} type @param {string} id */
const openSubject = async (type, id) => {
  const s = await api.subject(type, id);
  const rows = s.touchpoints.map((t) => el('tr', {}, el('td', {}, t.id), el('td', { class: t.effect }, t.effect), el('td', {}, drawPath(t.path))));
  $('#subject').replaceChildren(
    el('h3', {}, `${s.state.type === 'change' ? 'Change' : 'Incident'} ${s.state.id}: ${s.state.title ?? ''}`),
    el(
      'p',
      {},
      `${s.state.status}, ${when(s.state.window.start)} to ${when(s.state.window.end)}; ${s.summary.customers} customers (${countsText(s.summary.byEffect)}), ${s.summary.unreachable} unreachable`,
    ),
    ...(s.state.expectedResolutionAt !== undefined ? [el('p', { id: 'restore' }, `Expected back: ${when(s.state.expectedResolutionAt)}`)] : []),
    el('p', { id: 'notices-sent' }, `Notices sent: ${countsText(s.noticesByKind)}`),
    ...(s.held ? [heldBlock(type, id, s.held)] : []),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Touchpoint'), el('th', {}, 'Effect'), el('th', {}, 'Why'))), el('tbody', {}, ...rows)),
    el('h3', {}, 'Delivery'),
    el('div', { id: 'deliveries' }),
    el('h3', {}, 'Could not reach: call back'),
    el('ul', { id: 'unreached', class: 'list' }),
    el('h3', {}, 'History'),
    el(
      'ol',
      { class: 'list', id: 'history' },
      ...s.history.map((h) =>
        el('li', {}, `${when(Date.parse(h.occurredAt))} ${h.detailType}, ${whoDid(h)}${h.notify === undefined ? '' : `, notify: ${h.notify}`}`),
      ),
    ),
    el('h3', {}, 'Affected customers ', el('span', { id: 'affected-total', class: 'muted' })),
    el('form', { id: 'affected-filter' }, filterSelect('effect', ['outage', 'degraded']), filterSelect('segment', Object.keys(s.summary.bySegment))),
    el(
      'table',
      { id: 'affected' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Customer'), el('th', {}, 'Effect'), el('th', {}, 'Segment'), el('th', {}, 'Notice by'))),
      el('tbody'),
    ),
    el('button', { id: 'affected-more', type: 'button', hidden: '' }, 'More'),
  );
  $('#affected-filter').addEventListener('change', (e) => {
    const form = /** @type {HTMLFormElement} */ (e.currentTarget);
    /** @type {Record<string, string>} */
    const filters = Object.fromEntries([...new FormData(form)].filter(([, v]) => v).map(([k, v]) => [k, String(v)]));
    drawCustomers(type, id, filters);
  });
  await Promise.all([drawCustomers(type, id), drawDeliveries(type, id)]);
  $('#subject-section').hidden = false;
};

/**
 * Notices sent, delivered, failed and pending by channel, and the customers no channel reached.
 * @param {string} type @param {string} id
 */
const drawDeliveries = async (type, id) => {
  const [d, unreached] = await Promise.all([api.deliveries(type, id), api.unreached(type, id)]);
  const row = (/** @type {string} */ name, /** @type {SubjectDeliveriesView['total']} */ c) =>
    el(
      'tr',
      {},
      el('td', {}, name),
      el('td', {}, c.sent),
      el('td', {}, c.delivered),
      el('td', {}, c.failed),
      el('td', {}, c.pending),
      el('td', {}, c.deliveredWithin5Minutes),
      el('td', {}, c.deliveredWithin15Minutes),
    );
  $('#deliveries').replaceChildren(
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, ...['Channel', 'Sent', 'Delivered', 'Failed', 'Pending', '≤ 5 min', '≤ 15 min'].map((h) => el('th', {}, h)))),
      el(
        'tbody',
        {},
        ...Object.entries(d.byChannel)
          .filter(([, c]) => c.sent > 0)
          .map(([channel, c]) => row(channel, c)),
        row('all', d.total),
      ),
    ),
  );
  $('#unreached').replaceChildren(
    ...(unreached.customers.length
      ? unreached.customers.map((u) => el('li', {}, el('a', { href: '#', 'data-customer': u.customerId }, u.customerId), ` ${u.kind}: ${u.reason}`))
      : [el('li', { class: 'muted' }, 'Nobody: every notice reached someone or is still on its way.')]),
  );
};

/**
 * @param {string} type
 * @param {string} id
 * @param {Record<string, string>} [filters]
 * @param {string} [cursor]
 */
const drawCustomers = async (type, id, filters = {}, cursor) => {
  const page = await api.affected(type, id, new URLSearchParams({ limit: '50', ...filters, ...(cursor ? { cursor } : {}) }));
  const body = $('#affected tbody');
  if (!cursor) body.replaceChildren();
  body.append(
    ...page.customers.map((c) =>
      el(
        'tr',
        {},
        el('td', {}, el('a', { href: '#', 'data-customer': c.customerId }, c.customerId)),
        el('td', { class: c.effect }, c.effect),
        el('td', {}, c.segment ?? ''),
        el('td', {}, c.notify[0] ?? 'none'),
      ),
    ),
  );
  $('#affected-total').textContent = `${page.total} affected`;
  const more = $('#affected-more');
  more.hidden = !page.cursor;
  more.onclick = () => drawCustomers(type, id, filters, page.cursor);
};

/** @param {string} name @param {string[]} values */
const filterSelect = (name, values) =>
  el('label', {}, name, el('select', { name }, el('option', { value: '' }, 'all'), ...values.map((v) => el('option', { value: v }, v))));

/** @param {string} customerId */
const lookup = async (customerId) => {
  const [{ impacts }, { notices }] = await Promise.all([api.caller(customerId), api.customerDeliveries(customerId)]);
  $('#caller').replaceChildren(
    el('p', {}, impacts.length ? `${customerId} is affected by ${impacts.length} subject(s):` : `Nothing affects ${customerId} now.`),
    el(
      'ul',
      { class: 'list', id: 'caller-impacts' },
      ...impacts.map((i) =>
        el(
          'li',
          {},
          el('a', { href: `#${i.subjectKey}`, 'data-open': i.subjectKey }, i.subjectKey),
          ' ',
          el('span', { class: i.effect }, i.effect),
          ` on ${i.touchpoints.join(', ')}; notice by ${i.notify[0] ?? 'no usable channel'}${i.expectedResolutionAt !== undefined ? `; expected back ${when(i.expectedResolutionAt)}` : ''}`,
        ),
      ),
    ),
    el('p', {}, notices.length ? 'What they were sent, and what became of it:' : 'No notice was delivered to them yet.'),
    el(
      'ul',
      { class: 'list', id: 'caller-deliveries' },
      ...notices.map((n) =>
        el(
          'li',
          {},
          `${n.kind} (${n.subjectKey}): ${n.outcome}; `,
          n.channels.map((c) => `${c.channel} ${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', '),
        ),
      ),
    ),
  );
  $('#caller-section').hidden = false;
};

/** @param {[string, number][]} entries @param {string} unit */
const bars = (entries, unit) => {
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const box = svg('svg', { viewBox: `0 0 400 ${entries.length * 22 + 4}`, role: 'img', 'aria-label': entries.map(([k, v]) => `${k} ${v} ${unit}`).join(', ') });
  entries.forEach(([k, v], i) => {
    box.append(
      svg('rect', { x: 150, y: 4 + i * 22, width: Math.max(2, (v / max) * 200), height: 16, fill: '#1f5fbf' }),
      svg('text', { x: 0, y: 16 + i * 22 }, k),
      svg('text', { x: 356, y: 16 + i * 22 }, `${v}`),
    );
  });
  return box;
};

const drawMetrics = async () => {
  const m = await api.metrics();
  $('#metrics').replaceChildren(
    el(
      'p',
      { id: 'metrics-summary' },
      `${m.subjects} subjects, ${m.customersImpacted} customers impacted, ${m.customerMinutes} customer-minutes, ${m.touchpointMinutes} touchpoint-minutes; detection to first notice: ${m.detectionToFirstNoticeMinutes.mean ?? '-'} min mean`,
    ),
    bars(
      [
        ['customers', m.customersImpacted],
        ['customer-min', m.customerMinutes],
        ['touchpoint-min', m.touchpointMinutes],
      ],
      '',
    ),
    ...(Object.keys(m.mttrMinutesByTouchpoint).length
      ? [el('h3', {}, 'MTTR per touchpoint (min)'), bars(Object.entries(m.mttrMinutesByTouchpoint), 'min')]
      : []),
  );
};

/** The local runtime serves its outbox (without contact details); in AWS there is none and the panel stays hidden. */
const drawNotices = async () => {
  const res = await fetch(`${API}/outbox?limit=20`).catch(() => undefined);
  if (!res?.ok) return;
  const { messages } = /** @type {{ messages: OutboxMessage[] }} */ (await res.json());
  /** @param {OutboxMessage} m */
  const subjectOf = (m) => (typeof m.subject === 'string' ? m.subject : `${m.subject?.type}#${m.subject?.id}`);
  $('#notices').replaceChildren(
    ...messages.map((m) => el('li', {}, m.team ? `briefing to ${m.team} (${subjectOf(m)})` : `${m.kind} to ${m.customerId} by ${m.channel} (${subjectOf(m)})`)),
  );
  $('#notices-section').hidden = false;
};

const refresh = async () => {
  // The week's changes and the open incidents, each read from its index: never the whole history.
  const { from, to } = timelineRange();
  const [{ subjects: changes }, { subjects: incidents }, { drafts }] = await Promise.all([api.changes(from, to), api.openIncidents(), api.drafts()]);
  drawTimeline(changes);
  drawIncidents(incidents);
  drawDrafts(drafts);
  await Promise.all([drawMetrics().catch(() => undefined), drawNotices()]);
};

/** @param {HTMLFormElement} form */
const eventFromForm = (form) => {
  const f = new FormData(form);
  const field = (/** @type {string} */ name) => String(f.get(name) ?? '');
  return {
    'detail-type': 'Change Scheduled',
    detail: {
      changeId: field('changeId'),
      title: field('title'),
      window: { start: new Date(field('start')).toISOString(), end: new Date(field('end')).toISOString() },
      impacts: field('nodes')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((node) => ({ node })),
      ...(field('customerMessage').trim() ? { customerMessage: field('customerMessage').trim() } : {}),
      ...(f.get('draft') ? { notify: /** @type {const} */ ('draft') } : {}),
    },
  };
};

/** @param {unknown} err */
const messageOf = (err) => (err instanceof Error ? err.message : String(err));

document.addEventListener('click', (e) => {
  const target = /** @type {Element | null} */ (e.target);
  const customer = target?.closest?.('[data-customer]')?.getAttribute('data-customer');
  if (customer) {
    e.preventDefault();
    /** @type {HTMLInputElement} */ ($('#customer-id')).value = customer;
    lookup(customer).catch((err) => $('#caller').replaceChildren(el('p', { class: 'error' }, messageOf(err))));
    return;
  }
  const key = target?.closest?.('[data-open]')?.getAttribute('data-open');
  if (!key) return;
  e.preventDefault();
  const [type, id] = key.split('#');
  openSubject(type, id).catch((err) => $('#subject').replaceChildren(el('p', { class: 'error' }, messageOf(err))));
});
$('#lookup').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = /** @type {HTMLFormElement} */ (e.target);
  lookup(String(new FormData(form).get('customer') ?? '').trim()).catch((err) => $('#caller').replaceChildren(el('p', { class: 'error' }, messageOf(err))));
});
$('#whatif').addEventListener('submit', async (e) => {
  e.preventDefault();
  const event = eventFromForm(/** @type {HTMLFormElement} */ (e.target));
  const out = $('#whatif-result');
  try {
    const submitter = /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (e).submitter);
    if (submitter?.value === 'schedule') {
      await api.putEvent(event);
      const held = event.detail.notify === 'draft';
      out.replaceChildren(
        el(
          'p',
          { id: 'scheduled' },
          `${event.detail.changeId} scheduled${held ? ' as a draft: its notices wait for approval' : ''}; it appears on the timeline once assessed.`,
        ),
      );
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await refresh();
        if (document.querySelector(`[data-subject="change#${event.detail.changeId}"]`)) break;
      }
      return;
    }
    const a = await api.assess(event);
    out.replaceChildren(
      el('p', { id: 'whatif-summary' }, `${a.summary.touchpoints} touchpoints, ${a.summary.customers} customers (${countsText(a.summary.byEffect)})`),
      el('ul', { class: 'list' }, ...a.touchpoints.map((t) => el('li', {}, el('span', { class: t.effect }, t.effect), ` ${t.id}: ${t.path.join(' → ')}`))),
      ...(a.conflicts.length
        ? [
            el(
              'p',
              { id: 'whatif-conflicts', class: 'degraded' },
              `Conflicts: ${a.conflicts.map((c) => `${c.subjectKey} on ${c.sharedTouchpoints.join(', ')}`).join('; ')}`,
            ),
          ]
        : []),
      el('h3', {}, 'What customers would be told first'),
      previewPicker(a.previews, 'whatif-preview'),
    );
  } catch (err) {
    const problems = err instanceof ApiCallError ? (err.body.problems ?? []) : [];
    out.replaceChildren(el('p', { class: 'error' }, messageOf(err)), el('ul', {}, ...problems.map((p) => el('li', {}, `${p.field}: ${p.message}`))));
  }
});

/**
 * The subject a URL fragment names: `#change#CHG-1` or `#incident#INC-7` (the anchors of the lists and the
 * links in briefings); anything else names none.
 * @param {string} hash
 * @returns {{ type: 'change' | 'incident', id: string } | undefined}
 */
const subjectInFragment = (hash) => {
  const match = /^#(change|incident)#(.+)$/.exec(hash);
  if (!match) return undefined;
  try {
    return { type: /** @type {'change' | 'incident'} */ (match[1]), id: decodeURIComponent(match[2]) };
  } catch {
    return undefined;
  }
};

/** Opens the subject the URL names, if it names one (on load, and when a link changes the fragment). */
const openFromFragment = () => {
  const named = subjectInFragment(location.hash);
  if (!named) return;
  openSubject(named.type, named.id)
    .then(() => $('#subject-section').scrollIntoView())
    .catch((err) => {
      $('#subject').replaceChildren(el('p', { class: 'error' }, `${named.type} ${named.id}: ${messageOf(err)}`));
      $('#subject-section').hidden = false;
    });
};
if (!leavingToSignIn) {
  window.addEventListener('hashchange', openFromFragment);
  drawMe()
    .then(refresh)
    .catch((err) => $('#timeline').replaceChildren(el('p', { class: 'error' }, `API not reachable: ${messageOf(err)}`)));
  openFromFragment();
  // Support watches this page: keep it current while it is visible.
  setInterval(() => document.visibilityState === 'visible' && refresh().catch(() => undefined), 3_000);
}
