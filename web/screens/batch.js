// One batch: its state and the actions that move it on (second fermentation, fridge, archive), the timeline with
// observation and measurement entry, photos (presigned upload with a progress bar), the model's reminder
// suggestions (one tap confirms), the batch's reminders (done, snooze) and, once its sensors have sent readings,
// their chart and the measured progress of the stage.
import * as api from '../api.js';
import {
  clearFormErrors, dayOf, field, formError, formatDateTime, h, heading, kindLabels, showFormError, stageLabels,
  statusLabels,
} from '../view.js';

const TIMELINE_PAGE = 50;
const SNOOZE_MS = 60 * 60 * 1000;
const photoTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'];
const eventLabels = {
  stage_change: 'Stage', status_change: 'Status', observation: 'Observation', note: 'Note', photo_added: 'Photo', alert: 'Alert',
  measurement: 'Measurement',
};
const readings = [
  ['temperatureC', 'Temperature (°C)', (/** @type {number} */ v) => `${v} °C`, '0.5'],
  ['ph', 'pH', (/** @type {number} */ v) => `pH ${v}`, '0.1'],
  ['brix', 'Sugar (°Bx)', (/** @type {number} */ v) => `${v} °Bx`, '0.1'],
  ['specificGravity', 'Specific gravity', (/** @type {number} */ v) => `SG ${v}`, '0.001'],
];

/** @param {HTMLElement} view @param {Record<string, string>} params @param {import('../main.js').App} app */
export async function show(view, params, app) {
  const id = params.id;
  const { data, offline } = await api.load(`/batches/${id}`);
  app.showingSaved(offline);
  /** @type {any} */
  const batch = data.batch;

  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
  const reminders = h('div', { class: 'reminders' });
  const sensorData = h('section', { class: 'card sensor-data', 'aria-labelledby': 'sensor-data-title', hidden: true });
  const reloadTimeline = () => loadTimeline(id, batch, timeline, app).catch((error) => app.notify(error.message, 'error'));
  const reloadReminders = () => loadReminders(id, batch, reminders, app).catch((error) => app.notify(error.message, 'error'));
  app.onOutboxChange(reloadTimeline);

  view.replaceChildren(
    h('p', { class: 'back' }, h('a', { href: '#/batches' }, '← Batches')),
    heading(batch.name),
    summary(batch),
    sensorData,
    actions(batch, app),
    batch.status === 'archived' ? null : entryForm(id, app, reloadTimeline),
    batch.status === 'archived' ? null : photoForm(id, app, reloadTimeline),
    h('section', { 'aria-labelledby': 'reminders-title' }, h('h2', { id: 'reminders-title' }, 'Reminders'), reminders),
    h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
  );
  await Promise.all([reloadTimeline(), reloadReminders(), loadSensorData(id, batch, sensorData, app)]);
}

/**
 * The chart and the measured progress, shown only when the batch has readings; offline (neither is kept for
 * offline use) the section stays hidden.
 * @param {string} id @param {any} batch @param {HTMLElement} section @param {import('../main.js').App} app
 */
async function loadSensorData(id, batch, section, app) {
  try {
    const { readings: measured } = await api.json('GET', `/batches/${id}/readings`);
    if (measured.length === 0) return;
    const [{ progress }, chart] = await Promise.all([
      api.json('GET', `/batches/${id}/progress`),
      // The chart needs the token, so it is fetched and shown from a blob: URL rather than linked.
      api.request('GET', `/batches/${id}/chart.svg`).then((response) => response.blob()),
    ]);
    const url = URL.createObjectURL(chart);
    app.cleanups.push(() => URL.revokeObjectURL(url));
    const done = Math.max(0, progress.fraction);
    const latest = measured.at(-1);
    section.replaceChildren(
      h('h2', { id: 'sensor-data-title' }, 'Sensor readings'),
      h('img', { class: 'chart-image', src: url, alt: `Chart of ${batch.name}: temperature over time from its sensors` }),
      h('p', { class: 'progress-label' },
        h('strong', { class: 'progress-percent' }, `${Math.round(done * 100)}% done`),
        ' · ',
        h('span', { class: 'progress-end' }, `${done >= 1 ? 'Reached its expected end' : 'Expected end'} ${formatDateTime(progress.expectedEnd)}`)),
      h('progress', { class: 'stage-progress', max: '1', value: String(Math.min(done, 1)), 'aria-label': 'Stage progress' }),
      h('p', { class: 'hint' },
        progress.temperatureSource === 'readings'
          ? `From ${progress.readingsUsed} ${progress.readingsUsed === 1 ? 'reading' : 'readings'}`
          : 'From the batch\'s temperature',
        latest?.temperatureC != null ? `; last ${latest.temperatureC} °C at ${formatDateTime(latest.time)}.` : '.'));
    section.hidden = false;
  } catch (error) {
    if (!(error instanceof api.OfflineError)) app.notify(/** @type {Error} */ (error).message, 'error');
  }
}

/** @param {any} batch */
function summary(batch) {
  const facts = [
    ['Started', `${formatDateTime(batch.startDate)} (${dayOf(batch.startDate)})`],
    batch.stage2StartDate ? ['Bottled', formatDateTime(batch.stage2StartDate)] : null,
    batch.temperature != null ? ['Temperature', `${batch.temperature} °C`] : null,
    batch.waterVolumeMl != null ? ['Volume', `${batch.waterVolumeMl} ml`] : null,
    batch.sugarAmount != null ? ['Sugar', `${batch.sugarAmount} g${batch.sugarType ? ` ${batch.sugarType}` : ''}`] : null,
    batch.fruits?.length ? ['Fruits', batch.fruits.join(', ')] : null,
  ].filter(Boolean);
  return h('div', { class: 'card summary' },
    h('p', { class: 'chips' },
      h('span', { class: 'chip' }, kindLabels[/** @type {'water'} */ (batch.kind)] ?? batch.kind),
      h('span', { class: 'chip' }, stageLabels[/** @type {'stage1_open'} */ (batch.stage)] ?? batch.stage),
      h('span', { class: `chip status-${batch.status}` }, statusLabels[/** @type {'active'} */ (batch.status)] ?? batch.status),
      batch.isPublic ? h('span', { class: 'chip' }, 'Shared') : null),
    h('dl', { class: 'facts' }, facts.map((fact) => [h('dt', {}, /** @type {string[]} */ (fact)[0]), h('dd', {}, /** @type {string[]} */ (fact)[1])])));
}

/** The next steps of this batch's life. @param {any} batch @param {import('../main.js').App} app */
function actions(batch, app) {
  /** @param {string} label @param {Record<string, string>} change @param {string} [confirmText] */
  const action = (label, change, confirmText, primary = false) =>
    h('button', {
      type: 'button', class: primary ? 'primary' : 'secondary',
      onclick: async (/** @type {Event} */ event) => {
        if (confirmText && !window.confirm(confirmText)) return;
        const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
        button.disabled = true;
        try {
          const result = await api.queueWrite('PATCH', `/batches/${batch.batchId}`, change, { label: `${label.toLowerCase()} for "${batch.name}"`, batchId: batch.batchId });
          if (result.pending) app.notify(`${label}: saved on this device, sent when you are back online.`);
          app.navigate(location.hash);
        } catch (error) {
          app.notify(/** @type {Error} */ (error).message, 'error');
          button.disabled = false;
        }
      },
    }, label);
  const buttons = [];
  if (batch.status === 'archived') buttons.push(action('Restore', { status: 'active' }));
  else {
    if (batch.stage === 'stage1_open') buttons.push(action('Start second fermentation', { stage: 'stage2_bottled' }, undefined, true));
    if (batch.status !== 'ready' && batch.stage === 'stage2_bottled') buttons.push(action('Mark ready', { status: 'ready' }, undefined, true));
    if (batch.status !== 'in_fridge') buttons.push(action('Move to fridge', { status: 'in_fridge' }));
    if (batch.status === 'in_fridge') buttons.push(action('Take out of fridge', { status: 'active' }));
    buttons.push(action('Archive', { status: 'archived' }, `Archive "${batch.name}"? Its pending reminders are cancelled.`));
  }
  return h('div', { class: 'actions batch-actions' },
    buttons,
    h('a', { class: 'button secondary', href: `#/batches/${batch.batchId}/share` }, 'Share'));
}

/** Observation or measurement. @param {string} id @param {import('../main.js').App} app @param {() => void} done */
function entryForm(id, app, done) {
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '1000', placeholder: 'Bubbly, smells of lemon…' });
  const readingInputs = readings.map(([key, label, , step]) =>
    field(/** @type {string} */ (label), h('input', { name: `metadata.${key}`, type: 'number', step, inputmode: 'decimal' })));
  const measurementFields = h('div', { class: 'field-row wrap', hidden: true }, readingInputs);
  const typeChoice = (/** @type {string} */ type, /** @type {string} */ label) =>
    h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'type', value: type, checked: type === 'observation',
        onchange: () => (measurementFields.hidden = type !== 'measurement') }), label);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add to timeline');
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'entry-title' },
    h('h2', { id: 'entry-title' }, 'Add to the timeline'),
    h('fieldset', { class: 'choices' }, h('legend', { class: 'visually-hidden' }, 'Entry type'),
      typeChoice('observation', 'Observation'), typeChoice('measurement', 'Measurement')),
    field('What do you see?', description),
    measurementFields,
    formError(),
    submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const values = new FormData(form);
    const type = String(values.get('type'));
    /** @type {Record<string, any>} */
    const body = { type, description: String(values.get('description') ?? '').trim() };
    if (type === 'measurement') {
      /** @type {Record<string, number>} */
      const metadata = {};
      for (const [key] of readings) {
        const raw = String(values.get(`metadata.${key}`) ?? '').trim();
        if (raw !== '') metadata[/** @type {string} */ (key)] = Number(raw);
      }
      if (Object.keys(metadata).length === 0)
        return showFormError(form, { details: [{ field: 'metadata.temperatureC', problem: 'Enter at least one reading' }] });
      body.metadata = metadata;
    } else if (!body.description) {
      return showFormError(form, { details: [{ field: 'description', problem: 'Describe what you see' }] });
    }
    submit.setAttribute('disabled', '');
    try {
      const result = await api.queueWrite('POST', `/batches/${id}/events`, body, { label: `${type} "${body.description || 'readings'}"`, batchId: id });
      form.reset();
      measurementFields.hidden = true;
      if (result.pending) app.notify('Saved on this device; it is sent when you are back online.');
      done();
    } catch (error) {
      showFormError(form, error);
    } finally {
      submit.removeAttribute('disabled');
    }
  });
  return form;
}

/** Camera or file → presigned PUT (progress shown) → attach. @param {string} id @param {import('../main.js').App} app @param {() => void} done */
function photoForm(id, app, done) {
  const input = /** @type {HTMLInputElement} */ (h('input', { name: 'photo', type: 'file', accept: photoTypes.join(',') }));
  const progress = /** @type {HTMLProgressElement} */ (h('progress', { max: '1', value: '0', hidden: true, 'aria-label': 'Upload progress' }));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true },
    field('Add a photo', input, 'Take one with your camera or choose a file (JPEG, PNG, WebP or HEIC, up to 10 MB).'),
    progress, formError()));
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    clearFormErrors(form);
    progress.hidden = false;
    progress.value = 0;
    input.disabled = true;
    try {
      const target = await api.json('POST', `/batches/${id}/photo/upload-url`, { body: { filename: file.name || 'photo.jpg', contentType: file.type } });
      await upload(target, file, progress);
      await api.json('POST', `/batches/${id}/photo`, { body: { photoKey: target.photoKey } });
      app.notify('Photo added.');
      done();
    } catch (error) {
      const problem = /** @type {any} */ (error);
      showFormError(form, problem?.details?.some((/** @type {any} */ d) => d.field === 'contentType')
        ? { details: [{ field: 'photo', problem: 'Choose a JPEG, PNG, WebP or HEIC picture.' }] } : problem);
    } finally {
      progress.hidden = true;
      input.disabled = false;
      input.value = '';
    }
  });
  return form;
}

/** @param {any} target  the upload-url answer @param {File} file @param {HTMLProgressElement} progress */
function upload(target, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.uploadUrl);
    for (const [name, value] of Object.entries(target.headers ?? {})) xhr.setRequestHeader(name, String(value));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress.value = event.loaded / event.total;
    };
    xhr.onload = () => (xhr.status < 300 ? resolve(undefined) : reject(new Error(`The upload failed (${xhr.status}).`)));
    xhr.onerror = () => reject(new api.OfflineError());
    xhr.send(file);
  });
}

/** @param {string} id @param {any} batch @param {HTMLElement} list @param {import('../main.js').App} app */
async function loadTimeline(id, batch, list, app) {
  const { data, offline } = await api.load(`/batches/${id}/events?order=desc&limit=${TIMELINE_PAGE}`);
  if (offline) app.showingSaved(true);
  // Photo URLs expire within minutes, so they are never kept for offline use.
  const photos = !offline && (data.nextCursor || data.events.some((/** @type {any} */ event) => event.photoKey))
    ? await api.json('GET', `/batches/${id}/photos?size=320`).catch(() => ({ photos: [] }))
    : { photos: [] };
  const urls = new Map(photos.photos.map((/** @type {any} */ photo) => [photo.photoKey, photo.url]));
  const pending = api.outbox().filter((item) => item.batchId === id && item.path.endsWith('/events'));
  list.replaceChildren(
    ...pending.reverse().map((item) => eventItem({ ...item.body, timestamp: item.queuedAt }, batch, urls, true)),
    ...data.events.map((/** @type {any} */ event) => eventItem(event, batch, urls, false)),
  );
  if (list.childElementCount === 0) list.append(h('li', { class: 'empty' }, 'Nothing yet.'));
  appendOlder(id, batch, list, urls, data.nextCursor, app);
}

/** A button under the timeline that appends the next older page. */
function appendOlder(/** @type {string} */ id, /** @type {any} */ batch, /** @type {HTMLElement} */ list,
  /** @type {Map<string, string>} */ urls, /** @type {string | null} */ cursor, /** @type {import('../main.js').App} */ app) {
  if (!cursor) return;
  const item = h('li', { class: 'older' }, h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      try {
        const query = new URLSearchParams({ order: 'desc', limit: String(TIMELINE_PAGE), cursor });
        const older = await api.json('GET', `/batches/${id}/events?${query}`);
        item.replaceWith(...older.events.map((/** @type {any} */ event) => eventItem(event, batch, urls, false)));
        appendOlder(id, batch, list, urls, older.nextCursor, app);
      } catch (error) {
        app.notify(/** @type {Error} */ (error).message, 'error');
      }
    },
  }, 'Show older entries'));
  list.append(item);
}

/** @param {any} event @param {any} batch @param {Map<string, string>} urls @param {boolean} pending */
function eventItem(event, batch, urls, pending) {
  const values = readings
    .filter(([key]) => typeof event.metadata?.[/** @type {string} */ (key)] === 'number')
    .map(([key, , format]) => /** @type {(v: number) => string} */ (format)(event.metadata[/** @type {string} */ (key)]));
  const photo = event.photoKey && urls.get(event.photoKey);
  return h('li', { class: `event event-${event.type}${pending ? ' pending' : ''}` },
    h('p', { class: 'event-head' },
      h('span', { class: 'event-type' }, eventLabels[/** @type {'note'} */ (event.type)] ?? event.type),
      h('time', { datetime: event.timestamp }, formatDateTime(event.timestamp)),
      pending ? h('span', { class: 'badge' }, 'pending') : null),
    event.description ? h('p', { class: 'event-text' }, event.description) : null,
    values.length ? h('p', { class: 'readings' }, values.join(' · ')) : null,
    photo ? h('img', { class: 'event-photo', src: photo, alt: `Photo of ${batch.name}`, loading: 'lazy' }) : null);
}

/** Pending reminders (done, snooze) and the model's suggestions (one tap confirms). */
async function loadReminders(/** @type {string} */ id, /** @type {any} */ batch, /** @type {HTMLElement} */ box, /** @type {import('../main.js').App} */ app) {
  const archived = batch.status === 'archived';
  const [{ data }, suggested] = await Promise.all([
    api.load(`/batches/${id}/reminders`),
    archived ? { suggestions: [] } : api.json('GET', `/batches/${id}/reminders/suggestions`).catch(() => ({ suggestions: [] })),
  ]);
  const reload = () => loadReminders(id, batch, box, app).catch((error) => app.notify(error.message, 'error'));
  /** @param {() => Promise<any>} write @param {string} message */
  const act = (write, message) => async (/** @type {Event} */ event) => {
    /** @type {HTMLButtonElement} */ (event.currentTarget).disabled = true;
    try {
      await write();
      await reload();
      app.notify(message);
    } catch (error) {
      app.notify(/** @type {Error} */ (error).message, 'error');
      reload();
    }
  };
  const upcoming = data.reminders.filter((/** @type {any} */ r) => !r.completed && (r.status === 'pending' || r.status === 'sent'));
  // A confirmed suggestion keeps its type and time, so it is not offered again.
  const taken = new Set(data.reminders.filter((/** @type {any} */ r) => r.status !== 'cancelled').map((/** @type {any} */ r) => `${r.type} ${r.scheduledTime}`));
  const suggestions = suggested.suggestions.filter((/** @type {any} */ s) => !taken.has(`${s.type} ${s.suggestedTime}`));
  box.replaceChildren(h('div', {},
    upcoming.length === 0 ? h('p', { class: 'hint' }, 'No reminders set.') : null,
    h('ul', { class: 'reminder-list' }, upcoming.map((/** @type {any} */ reminder) =>
      h('li', { class: 'reminder' },
        h('div', {},
          h('p', { class: 'reminder-message' }, reminder.message),
          h('p', { class: 'hint' }, `${reminder.status === 'sent' ? 'Sent' : 'Due'} ${formatDateTime(reminder.scheduledTime)}`)),
        h('div', { class: 'actions compact' },
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Done: ${reminder.message}`,
            onclick: act(() => api.json('POST', `/me/reminders/${reminder.reminderId}/complete`), 'Reminder done.') }, 'Done'),
          reminder.status === 'pending'
            ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Snooze 1 h: ${reminder.message}`,
              onclick: act(() => api.json('PATCH', `/me/reminders/${reminder.reminderId}`, {
                body: { scheduledTime: new Date(Math.max(Date.now(), Date.parse(reminder.scheduledTime)) + SNOOZE_MS).toISOString() },
              }), 'Snoozed for an hour.') }, 'Snooze 1 h')
            : null)))),
    suggestions.length === 0 ? null : h('h3', {}, 'Suggested'),
    h('ul', { class: 'reminder-list' }, suggestions.map((/** @type {any} */ suggestion) =>
      h('li', { class: 'reminder suggestion' },
        h('div', {},
          h('p', { class: 'reminder-message' }, suggestion.message),
          h('p', { class: 'hint' }, `${formatDateTime(suggestion.suggestedTime)} · ${suggestion.description}`)),
        h('button', { type: 'button', class: 'primary', 'aria-label': `Remind me: ${suggestion.message}`,
          onclick: act(() => api.json('POST', `/batches/${id}/reminders/confirm`, {
            body: { reminders: [{ scheduledTime: suggestion.suggestedTime, message: suggestion.message, type: suggestion.type }] },
          }), 'Reminder set.') }, 'Remind me')))),
  ));
}
