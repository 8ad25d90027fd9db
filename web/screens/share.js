// Sharing a batch: the public toggle and note, the public link (/b/<id>) to copy, and the printable QR label.
import * as api from '../api.js';
import { clearFormErrors, field, formError, h, heading, showFormError } from '../view.js';

/** @param {HTMLElement} view @param {Record<string, string>} params @param {import('../main.js').App} app */
export async function show(view, params, app) {
  const id = params.id;
  const { data, offline } = await api.load(`/batches/${id}`);
  app.showingSaved(offline);
  const batch = data.batch;
  const link = `${location.origin}/b/${id}`;

  const isPublic = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', name: 'isPublic', checked: batch.isPublic, id: 'share-public' }));
  const note = h('textarea', { name: 'publicNote', rows: '3', maxlength: '500', value: batch.publicNote ?? '', placeholder: 'Best served cold, with a slice of lemon.' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true },
    h('div', { class: 'toggle' }, isPublic, h('label', { for: 'share-public' }, 'Anyone with the link can see this batch')),
    h('p', { class: 'hint' }, 'They see its name, stage, dates, photos, timeline and your public note; never your private notes or email.'),
    field('Public note', note),
    formError(),
    submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    submit.setAttribute('disabled', '');
    try {
      const values = new FormData(form);
      await api.json('PATCH', `/batches/${id}`, { body: { isPublic: isPublic.checked, publicNote: String(values.get('publicNote') ?? '') } });
      app.notify(isPublic.checked ? 'Shared: the link and the label now show this batch.' : 'No longer shared.');
    } catch (error) {
      showFormError(form, error);
    } finally {
      submit.removeAttribute('disabled');
    }
  });

  const linkInput = /** @type {HTMLInputElement} */ (h('input', { name: 'link', readonly: true, value: link }));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      app.notify('Link copied.');
    } catch {
      linkInput.select();
      app.notify('Press Ctrl+C (or long-press) to copy the selected link.');
    }
  };

  const label = h('div', { class: 'label-preview' }, h('p', { class: 'hint' }, 'Loading the label…'));
  view.replaceChildren(
    h('p', { class: 'back' }, h('a', { href: `#/batches/${id}` }, `← ${batch.name}`)),
    heading('Share'),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'link-title' },
      h('h2', { id: 'link-title' }, 'Public link'),
      field('Link', linkInput),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: copy }, 'Copy link'),
        h('a', { class: 'button secondary', href: link, target: '_blank', rel: 'noopener' }, 'Open public page'))),
    h('section', { class: 'card printable', 'aria-labelledby': 'label-title' },
      h('h2', { id: 'label-title' }, 'Bottle label'),
      label,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print label'))),
  );

  try {
    // The label needs the token, so it is fetched and shown from a blob: URL rather than linked.
    const response = await api.request('GET', `/batches/${id}/label.svg`);
    const url = URL.createObjectURL(await response.blob());
    app.cleanups.push(() => URL.revokeObjectURL(url));
    label.replaceChildren(h('img', { src: url, alt: `Bottle label of ${batch.name} with a QR code of its public link`, class: 'label-image' }));
  } catch (error) {
    label.replaceChildren(h('p', { class: 'hint' }, error instanceof api.OfflineError ? 'The label is shown when you are online.' : /** @type {Error} */ (error).message));
  }
}
