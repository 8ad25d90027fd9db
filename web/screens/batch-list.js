// Your batches by status, newest first, a page at a time; batches created offline are listed as pending.
import * as api from '../api.js';
import { dayOf, formatDate, h, heading, kindLabels, stageLabels } from '../view.js';

const PAGE_SIZE = 20;
const tabs = [
  ['active', 'Active'],
  ['ready', 'Ready'],
  ['in_fridge', 'In fridge'],
  ['archived', 'Archived'],
];

/** @param {HTMLElement} view @param {Record<string, string>} params @param {import('../main.js').App} app */
export async function show(view, params, app) {
  const status = tabs.some(([value]) => value === params.status) ? params.status : 'active';
  const list = h('ul', { class: 'batch-list' });
  const more = h('button', { type: 'button', class: 'secondary more', hidden: true }, 'Show older batches');
  const pending = () =>
    status === 'active'
      ? api.outbox().filter((item) => item.method === 'POST' && item.path === '/batches').map(pendingItem)
      : [];
  const pendingList = h('ul', { class: 'batch-list' }, pending());
  app.onOutboxChange(() => pendingList.replaceChildren(...pending()));

  /** @param {string | null} cursor */
  const loadPage = async (cursor) => {
    const query = new URLSearchParams({ status, limit: String(PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    const { data, offline } = await api.load(`/batches?${query}`);
    app.showingSaved(offline);
    list.append(...data.batches.map(batchItem));
    if (!cursor && data.batches.length === 0 && pendingList.childElementCount === 0)
      list.append(h('li', { class: 'empty' }, status === 'active' ? 'No batches yet. Start your first one!' : 'Nothing here.'));
    more.hidden = !data.nextCursor;
    more.onclick = () => loadPage(data.nextCursor).catch((error) => app.notify(error.message, 'error'));
  };
  await loadPage(null);

  view.replaceChildren(
    h('div', { class: 'title-row' },
      heading('Your batches'),
      h('a', { class: 'button primary', href: '#/batches/new' }, '+ New batch')),
    h('nav', { class: 'tabs', 'aria-label': 'Batch status' },
      tabs.map(([value, label]) =>
        h('a', { href: `#/batches?status=${value}`, 'aria-current': value === status ? 'page' : null }, label))),
    pendingList,
    list,
    more,
  );
}

/** @param {any} batch */
function batchItem(batch) {
  return h('li', {},
    h('a', { class: 'batch-card', href: `#/batches/${batch.batchId}` },
      h('span', { class: 'batch-name' }, batch.name),
      h('span', { class: 'batch-meta' },
        `${kindLabels[/** @type {'water'|'milk'} */ (batch.kind)] ?? batch.kind} · ${stageLabels[/** @type {'stage1_open'} */ (batch.stage)] ?? batch.stage}`),
      h('span', { class: 'batch-meta' },
        batch.status === 'archived' ? `Archived ${formatDate(batch.archivedAt)}` : `Started ${formatDate(batch.startDate)} · ${dayOf(batch.startDate)}`)));
}

/** @param {api.OutboxItem} item */
function pendingItem(item) {
  return h('li', {},
    h('div', { class: 'batch-card pending' },
      h('span', { class: 'batch-name' }, item.body.name, ' ', h('span', { class: 'badge' }, 'pending')),
      h('span', { class: 'batch-meta' }, 'Saved on this device; it is sent when you are back online.')));
}
