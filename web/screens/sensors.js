// Sensors: the user's temperature sensors, each with the batch its readings go to. A new sensor's ingest URL
// (its token is the credential) and a rotated one are shown once, with a copy button: the server keeps only a
// hash of the token. Rename, attach to an active batch or detach, rotate the token, delete.
import * as api from '../api.js';
import { clearFormErrors, field, formError, formatDateTime, h, heading, showFormError } from '../view.js';

const BATCHES_PAGE = 100;
/** @type {{answer: any, title: string} | null} the last ingest URL shown: kept over re-renders, not once left */
let shownSecret = null;

/** @param {HTMLElement} view @param {Record<string, string>} _params @param {import('../main.js').App} app */
export async function show(view, _params, app) {
  const [{ data, offline }, active] = await Promise.all([
    api.load('/me/sensors?limit=100'),
    api.load(`/batches?status=active&limit=${BATCHES_PAGE}`).catch(() => ({ data: { batches: [] } })),
  ]);
  app.showingSaved(offline);
  /** @type {any[]} */
  const batches = active.data.batches;
  const reload = () => app.navigate(location.hash);
  /** The answer of a create or a rotation: its ingest URL, shown until the user is done or leaves. */
  const showSecret = (/** @type {any} */ answer, /** @type {string} */ title) => {
    shownSecret = { answer, title };
    reload();
  };
  app.cleanups.push(() => {
    if (!location.hash.startsWith('#/sensors')) shownSecret = null;
  });

  view.replaceChildren(
    heading('Sensors'),
    h('p', { class: 'lead' }, 'Thermometers and hydrometers that post their readings to a secret URL. Attach one to a batch to chart it.'),
    ...(shownSecret ? [secretCard(shownSecret.answer, shownSecret.title, app)] : []),
    createForm(app, showSecret),
    h('ul', { class: 'sensor-list', 'aria-label': 'Your sensors' },
      data.sensors.length === 0
        ? h('li', { class: 'empty' }, 'No sensors yet.')
        : data.sensors.map((/** @type {any} */ sensor) => sensorItem(sensor, batches, app, showSecret, reload))),
  );
}

/**
 * A refusal naming fields goes next to them; any other error (a conflict, too many sensors, offline) is a notice.
 * @param {HTMLFormElement} form @param {any} error @param {import('../main.js').App} app
 */
function reportError(form, error, app) {
  if (error?.details?.length) showFormError(form, error);
  else app.notify(error?.message ?? String(error), 'error');
}

/** @param {import('../main.js').App} app @param {(answer: any, title: string) => void} showSecret */
function createForm(app, showSecret) {
  const name = h('input', { name: 'name', maxlength: '100', placeholder: 'Kitchen iSpindel', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add sensor');
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-sensor-title' },
    h('h2', { id: 'new-sensor-title' }, 'Add a sensor'),
    field('Name', name),
    formError(),
    submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const value = String(new FormData(form).get('name') ?? '').trim();
    if (!value) return showFormError(form, { details: [{ field: 'name', problem: 'Give the sensor a name' }] });
    submit.setAttribute('disabled', '');
    try {
      // Sent at once, never queued: the answer holds the token, which the outbox would keep on this device.
      const answer = await api.json('POST', '/me/sensors', { body: { name: value } });
      showSecret(answer, `"${answer.sensor.name}" is ready`);
    } catch (error) {
      reportError(form, error, app);
    } finally {
      submit.removeAttribute('disabled');
    }
  });
  return form;
}

/** Survives the list's re-render, so the URL stays until the user leaves the screen. */
function secretCard(/** @type {any} */ answer, /** @type {string} */ title, /** @type {import('../main.js').App} */ app) {
  const url = /** @type {HTMLInputElement} */ (h('input', { name: 'ingestUrl', readonly: true, value: answer.ingestUrl }));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(answer.ingestUrl);
      app.notify('Ingest URL copied.');
    } catch {
      url.select();
      app.notify('Press Ctrl+C (or long-press) to copy the selected URL.');
    }
  };
  return h('section', { class: 'card sensor-secret', 'aria-labelledby': 'sensor-secret-title' },
    h('h2', { id: 'sensor-secret-title' }, title),
    h('p', { class: 'once' }, 'Shown once: copy it into the device now. Kefir keeps no copy of it; if it is lost, rotate the token.'),
    field('Ingest URL', url, 'The device posts its readings here (Brewfather, iSpindel, Tilt or plain JSON).'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: copy }, 'Copy URL'),
      h('button', { type: 'button', class: 'secondary', onclick: (/** @type {Event} */ event) => {
        shownSecret = null;
        /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (event.currentTarget).closest('.sensor-secret')).remove();
      } }, 'Done')));
}

/**
 * @param {any} sensor @param {any[]} batches  the user's active batches
 * @param {import('../main.js').App} app @param {(answer: any, title: string) => void} showSecret @param {() => void} reload
 */
function sensorItem(sensor, batches, app, showSecret, reload) {
  /**
   * @param {HTMLButtonElement} button @param {() => Promise<any>} write @param {string} message
   * @param {string} [confirmText] @param {(answer: any) => void} [then]  instead of re-reading the list
   */
  const run = async (button, write, message, confirmText, then = reload) => {
    if (confirmText && !window.confirm(confirmText)) return;
    button.disabled = true;
    try {
      const answer = await write();
      app.notify(message);
      then(answer);
    } catch (error) {
      app.notify(/** @type {Error} */ (error).message, 'error');
      button.disabled = false;
    }
  };
  const patch = (/** @type {any} */ body) => api.json('PATCH', `/me/sensors/${sensor.sensorId}`, { body });
  const attached = batches.find((batch) => batch.batchId === sensor.batchId);

  const choice = /** @type {HTMLSelectElement} */ (h('select', { name: 'batchId' },
    h('option', { value: '' }, 'Not attached'),
    batches.map((batch) => h('option', { value: batch.batchId, selected: batch.batchId === sensor.batchId }, batch.name)),
    // Attached to a batch that is no longer active (in the fridge, ready): still listed, as it is.
    sensor.batchId && !attached ? h('option', { value: sensor.batchId, selected: true }, 'Another batch') : null));
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'secondary' }, 'Save'));
  const attach = h('form', { class: 'sensor-attach', novalidate: true }, field('Readings go to', choice), save);
  attach.addEventListener('submit', (event) => {
    event.preventDefault();
    const batchId = choice.value || null;
    const batchName = batches.find((batch) => batch.batchId === batchId)?.name;
    run(save, () => patch({ batchId }), batchId ? `Attached to "${batchName ?? 'the batch'}".` : 'Detached.');
  });

  const newName = h('input', { name: 'name', maxlength: '100', value: sensor.name, autocomplete: 'off' });
  const rename = /** @type {HTMLFormElement} */ (h('form', { class: 'sensor-rename', novalidate: true },
    field('Name', newName), formError(), h('button', { type: 'submit', class: 'secondary' }, 'Rename')));
  rename.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(rename);
    try {
      await patch({ name: String(new FormData(rename).get('name') ?? '').trim() });
      app.notify('Renamed.');
      reload();
    } catch (error) {
      reportError(rename, error, app);
    }
  });

  return h('li', { class: 'card sensor', 'data-sensor-id': sensor.sensorId },
    h('h2', { class: 'sensor-name' }, sensor.name),
    h('p', { class: 'hint sensor-batch' },
      attached ? ['Attached to ', h('a', { href: `#/batches/${attached.batchId}` }, attached.name)]
        : sensor.batchId ? h('a', { href: `#/batches/${sensor.batchId}` }, 'Attached to a batch')
          : 'Not attached: its readings are not kept.'),
    h('p', { class: 'hint' }, `Added ${formatDateTime(sensor.createdAt)}`),
    attach,
    h('details', { class: 'sensor-more' },
      h('summary', {}, 'Rename, new token, delete'),
      rename,
      h('div', { class: 'actions' },
        h('button', {
          type: 'button', class: 'secondary', 'aria-label': `New token for ${sensor.name}`,
          onclick: (/** @type {Event} */ event) => run(/** @type {HTMLButtonElement} */ (event.currentTarget),
            () => api.json('POST', `/me/sensors/${sensor.sensorId}/rotate-token`),
            'New token made; the old one no longer works.',
            `Give "${sensor.name}" a new token? The device stops reporting until you enter the new URL.`,
            (answer) => showSecret(answer, `New URL for "${answer.sensor.name}"`)),
        }, 'New token'),
        h('button', {
          type: 'button', class: 'danger', 'aria-label': `Delete ${sensor.name}`,
          onclick: (/** @type {Event} */ event) => run(/** @type {HTMLButtonElement} */ (event.currentTarget),
            () => api.json('DELETE', `/me/sensors/${sensor.sensorId}`), `"${sensor.name}" deleted.`,
            `Delete "${sensor.name}"? Its token stops working; its readings stay with their batch.`),
        }, 'Delete'))));
}
