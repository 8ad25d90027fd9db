// A new batch with sensible defaults: water kefir, 1 l, 60 g of sugar, at your usual temperature. Offline, it
// is queued and listed as pending.
import * as api from '../api.js';
import { clearFormErrors, field, formError, h, heading, showFormError } from '../view.js';

const defaults = {
  water: { volume: 1000, sugarType: 'cane sugar', sugarAmount: 60 },
  milk: { volume: 500, sugarType: '', sugarAmount: 0 },
};

/** @param {HTMLElement} view @param {Record<string, string>} _params @param {import('../main.js').App} app */
export async function show(view, _params, app) {
  const preferences = await api.load('/me').then(({ data }) => data.user.preferences ?? {}, () => ({}));
  const today = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }).format(new Date());
  const input = (/** @type {Record<string, any>} */ attributes) => h('input', attributes);
  const name = input({ name: 'name', required: true, maxlength: '100', value: `Water kefir, ${today}`, autocomplete: 'off' });
  const temperature = input({ name: 'temperature', type: 'number', min: '10', max: '40', step: '0.5', inputmode: 'decimal', value: preferences.defaultTemperatureC ?? 22 });
  const volume = input({ name: 'waterVolumeMl', type: 'number', min: '1', max: '100000', step: '50', inputmode: 'numeric', value: defaults.water.volume });
  const sugarType = input({ name: 'sugarType', maxlength: '50', value: defaults.water.sugarType });
  const sugarAmount = input({ name: 'sugarAmount', type: 'number', min: '0', max: '1000', step: '5', inputmode: 'numeric', value: defaults.water.sugarAmount });
  const fruits = input({ name: 'fruits', placeholder: 'lemon, fig', autocomplete: 'off' });
  const duration = input({ name: 'targetDuration', type: 'number', min: '1', max: '720', inputmode: 'numeric', placeholder: 'from the model' });
  const kindChoice = (/** @type {'water'|'milk'} */ kind, /** @type {string} */ label) =>
    h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'kind', value: kind, checked: kind === 'water', onchange: () => applyKind(kind) }), label);
  const applyKind = (/** @type {'water'|'milk'} */ kind) => {
    const value = (/** @type {HTMLElement} */ element) => /** @type {HTMLInputElement} */ (element);
    if (value(name).value.startsWith('Water kefir') || value(name).value.startsWith('Milk kefir'))
      value(name).value = `${kind === 'water' ? 'Water' : 'Milk'} kefir, ${today}`;
    value(volume).value = String(defaults[kind].volume);
    value(sugarType).value = defaults[kind].sugarType;
    value(sugarAmount).value = String(defaults[kind].sugarAmount);
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Start batch');
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true },
    h('fieldset', { class: 'choices' }, h('legend', {}, 'Kind'), kindChoice('water', 'Water kefir'), kindChoice('milk', 'Milk kefir')),
    field('Name', name),
    h('div', { class: 'field-row' },
      field('Temperature (°C)', temperature),
      field('Volume (ml)', volume)),
    h('div', { class: 'field-row' },
      field('Sugar', sugarType),
      field('Sugar (g)', sugarAmount)),
    field('Fruits', fruits, 'Separated by commas.'),
    field('First fermentation (hours)', duration, 'Leave empty: reminders follow the fermentation model for your temperature.'),
    formError(),
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/batches' }, 'Cancel'))));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const values = new FormData(form);
    const number = (/** @type {string} */ key) => (String(values.get(key) ?? '').trim() === '' ? undefined : Number(values.get(key)));
    /** @type {Record<string, any>} */
    const body = {
      name: String(values.get('name')).trim(),
      kind: values.get('kind'),
      stage: 'stage1_open',
      temperature: number('temperature'),
      waterVolumeMl: number('waterVolumeMl'),
      sugarAmount: number('sugarAmount'),
      targetDuration: number('targetDuration'),
      fruits: String(values.get('fruits') ?? '').split(',').map((fruit) => fruit.trim()).filter(Boolean),
    };
    const sugar = String(values.get('sugarType') ?? '').trim();
    if (sugar) body.sugarType = sugar;
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    submit.setAttribute('disabled', '');
    try {
      const result = await api.queueWrite('POST', '/batches', body, { label: `new batch "${body.name}"` });
      if (result.pending) {
        app.notify('Saved on this device; the batch is created when you are back online.');
        app.navigate('#/batches');
      } else app.navigate(`#/batches/${result.data.batch.batchId}`);
    } catch (error) {
      showFormError(form, error);
      submit.removeAttribute('disabled');
    }
  });
  view.replaceChildren(heading('New batch'), form);
}
