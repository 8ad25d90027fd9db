// A tiny hand-written view layer: build elements from tag, attributes and children; format values for people.

/**
 * h('button', {class: 'primary', onclick: go}, 'Save'): attributes named on* become listeners, `false`,
 * `null` and `undefined` attributes are left out, `true` ones are set empty; children may be strings, nodes,
 * arrays or null (left out).
 * @param {string} tag
 * @param {Record<string, any>} [attributes]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    // A textarea's default value is its text; every other default is an attribute, so form.reset() returns to it.
    else if (name === 'value' && tag === 'textarea') element.textContent = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...flatten(children));
  return element;
}

/** @param {any[]} children @returns {(Node|string)[]} */
function flatten(children) {
  return children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false);
}

/**
 * A labelled form field with its error slot: the API's `details` for `name` are shown there.
 * @param {string} label
 * @param {HTMLElement} control  an input, select or textarea with a `name`
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  const name = control.getAttribute('name') ?? '';
  const id = control.id || `field-${name}-${Math.random().toString(36).slice(2, 8)}`;
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, 'data-error-for': name, role: 'alert' }),
  );
}

/**
 * Shows an API error on a form: each `details` item next to its field (the form-wide slot when no field of
 * that name is shown), otherwise the message in the form-wide slot.
 * @param {HTMLFormElement} form
 * @param {any} error  an ApiError or any Error
 */
export function showFormError(form, error) {
  clearFormErrors(form);
  const general = form.querySelector('[data-error-for=""]') ?? form.querySelector('.form-error');
  const details = Array.isArray(error?.details) ? error.details : [];
  const unplaced = [];
  for (const detail of details) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(String(detail.field))}"]`);
    if (slot) {
      slot.textContent = detail.problem;
      form.querySelector(`[name="${CSS.escape(String(detail.field))}"]`)?.setAttribute('aria-invalid', 'true');
    } else unplaced.push(`${detail.field}: ${detail.problem}`);
  }
  if (general && (details.length === 0 || unplaced.length > 0))
    general.textContent = unplaced.length > 0 ? unplaced.join('; ') : error?.message ?? String(error);
}

/** @param {HTMLFormElement} form */
export function clearFormErrors(form) {
  for (const slot of form.querySelectorAll('.field-error, .form-error')) slot.textContent = '';
  for (const invalid of form.querySelectorAll('[aria-invalid]')) invalid.removeAttribute('aria-invalid');
}

/** The form-wide error slot. */
export function formError() {
  return h('p', { class: 'form-error', 'data-error-for': '', role: 'alert' });
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** @param {string | null | undefined} iso */
export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

/** @param {string | null | undefined} iso */
export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)) : '';
}

/** "day 3" of a batch started at `iso`. @param {string} iso */
export function dayOf(iso) {
  return `day ${Math.max(1, Math.floor((Date.now() - Date.parse(iso)) / 86_400_000) + 1)}`;
}

export const stageLabels = { stage1_open: 'First fermentation', stage2_bottled: 'Second fermentation' };
export const statusLabels = { active: 'Active', in_fridge: 'In fridge', ready: 'Ready', archived: 'Archived' };
export const kindLabels = { water: 'Water kefir', milk: 'Milk kefir' };

/** The screen's title: its h1 (focused after navigation) and the document title. @param {string} text */
export function heading(text) {
  document.title = `${text} · Kefir`;
  return h('h1', { tabindex: '-1' }, text);
}
