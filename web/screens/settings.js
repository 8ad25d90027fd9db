// Settings: reminders as notifications in this browser (Web Push), name, time zone, quiet hours and usual
// temperature, the CSV export, signing out (here or everywhere) and deleting the account.
import * as api from '../api.js';
import { clearFormErrors, field, formError, h, heading, showFormError } from '../view.js';

/** @param {HTMLElement} view @param {Record<string, string>} _params @param {import('../main.js').App} app */
export async function show(view, _params, app) {
  const { data, offline } = await api.load('/me');
  app.showingSaved(offline);
  const user = data.user;
  const preferences = user.preferences ?? {};

  view.replaceChildren(
    heading('Settings'),
    h('p', { class: 'lead' }, `Signed in as ${user.email}.`),
    notificationsCard(preferences, app),
    profileForm(user, app),
    h('section', { class: 'card', 'aria-labelledby': 'export-title' },
      h('h2', { id: 'export-title' }, 'Your data'),
      h('p', { class: 'hint' }, 'Every batch, timeline entry, reminder and device, as one CSV file for a spreadsheet.'),
      h('button', { type: 'button', class: 'secondary', onclick: () => downloadExport(app) }, 'Download CSV export')),
    h('section', { class: 'card', 'aria-labelledby': 'session-title' },
      h('h2', { id: 'session-title' }, 'Sessions'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => api.signOut() }, 'Sign out'),
        h('button', { type: 'button', class: 'secondary', onclick: () => signOutEverywhere(app) }, 'Sign out everywhere'))),
    deleteAccountCard(user, app),
  );
}

/** @param {any} user @param {import('../main.js').App} app */
function profileForm(user, app) {
  const preferences = user.preferences ?? {};
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The server starts everyone on UTC: until the user picks a zone, the browser's own is offered.
  const offerBrowserZone = (preferences.timezone ?? 'UTC') === 'UTC' && browserZone && browserZone !== 'UTC';
  const current = offerBrowserZone ? browserZone : preferences.timezone;
  const timezone = h('select', { name: 'preferences.timezone' },
    (zones.includes(current) ? zones : [current, ...zones]).map((zone) => h('option', { value: zone, selected: zone === current }, zone)));
  const name = h('input', { name: 'name', maxlength: '100', value: user.name ?? '', autocomplete: 'name' });
  const temperature = h('input', { name: 'preferences.defaultTemperatureC', type: 'number', min: '10', max: '40', step: '0.5', inputmode: 'decimal', value: preferences.defaultTemperatureC ?? '' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Profile'),
    field('Name', name),
    field('Time zone', timezone, offerBrowserZone
      ? `This browser's time zone, not saved yet: Save to use it for reminders and dates.`
      : 'Reminders and dates follow it.'),
    quietHoursFields(preferences.quietHours ?? {}),
    field('Usual temperature (°C)', temperature, 'The default for new batches.'),
    formError(),
    submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const values = new FormData(form);
    /** @type {Record<string, any>} */
    const changes = {
      timezone: String(values.get('preferences.timezone')),
      quietHours: {
        enabled: values.get('preferences.quietHours.enabled') === 'on',
        start: String(values.get('preferences.quietHours.start') ?? ''),
        end: String(values.get('preferences.quietHours.end') ?? ''),
      },
    };
    const usual = String(values.get('preferences.defaultTemperatureC') ?? '').trim();
    if (usual !== '') changes.defaultTemperatureC = Number(usual);
    submit.setAttribute('disabled', '');
    try {
      await api.json('PATCH', '/me', { body: { name: String(values.get('name') ?? '').trim(), preferences: changes } });
      app.notify('Settings saved.');
    } catch (error) {
      showFormError(form, error);
    } finally {
      submit.removeAttribute('disabled');
    }
  });
  return form;
}

/** Quiet hours: reminders falling inside wait for their end. @param {{enabled?: boolean, start?: string, end?: string}} quiet */
function quietHoursFields(quiet) {
  const enabled = h('input', { type: 'checkbox', id: 'quiet-hours', name: 'preferences.quietHours.enabled', checked: quiet.enabled !== false });
  const start = h('input', { type: 'time', name: 'preferences.quietHours.start', value: quiet.start ?? '22:00', required: true });
  const end = h('input', { type: 'time', name: 'preferences.quietHours.end', value: quiet.end ?? '08:00', required: true });
  return h('fieldset', { class: 'quiet-hours' },
    h('legend', {}, 'Quiet hours'),
    h('div', { class: 'toggle' }, enabled, h('label', { for: 'quiet-hours' }, 'Hold reminders during quiet hours')),
    h('p', { class: 'field-error', 'data-error-for': 'preferences.quietHours.enabled', role: 'alert' }),
    field('From', start),
    field('Until', end, 'A reminder due in between is delivered once, when they end, in your time zone.'));
}

/** @param {any} preferences @param {import('../main.js').App} app */
function notificationsCard(preferences, app) {
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  const toggle = /** @type {HTMLInputElement} */ (h('input', {
    type: 'checkbox', id: 'notifications', name: 'notifications', disabled: !supported,
  }));
  // On only where this browser holds a push subscription: permission alone says nothing about whether the
  // server knows this device.
  if (supported && preferences.notificationsEnabled !== false && Notification.permission === 'granted') {
    navigator.serviceWorker.getRegistration()
      .then((registration) => registration?.pushManager.getSubscription())
      .then((subscription) => { toggle.checked = Boolean(subscription); })
      .catch(() => {});
  }
  const status = h('p', { class: 'hint', id: 'notifications-status', role: 'status' },
    supported ? 'Reminders arrive as notifications on this device.' : 'This browser cannot show push notifications.');
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    try {
      if (toggle.checked) await enableNotifications(app.version);
      else await disableNotifications();
      status.textContent = toggle.checked ? 'Notifications are on for this device.' : 'Notifications are off.';
    } catch (error) {
      toggle.checked = !toggle.checked;
      status.textContent = /** @type {Error} */ (error).message;
    } finally {
      toggle.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'notifications-title' },
    h('h2', { id: 'notifications-title' }, 'Reminders'),
    h('div', { class: 'toggle' }, toggle, h('label', { for: 'notifications' }, 'Notify me on this device')),
    status);
}

/** Subscribes this browser to Web Push and registers it as a device (platform "web"). @param {string} version */
async function enableNotifications(version) {
  let key;
  try {
    key = (await api.json('GET', '/push/vapid-public-key')).publicKey;
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) throw new Error('This server does not send web notifications yet.');
    throw error;
  }
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications are blocked for this site in the browser settings.');
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) });
  await api.json('POST', '/me/devices', {
    body: { deviceId: api.deviceId(), platform: 'web', subscription: subscription.toJSON(), deviceName: browserName(), appVersion: version },
  });
  await api.json('PATCH', '/me', { body: { preferences: { notificationsEnabled: true } } });
}

async function disableNotifications() {
  try {
    await api.json('DELETE', `/me/devices/${api.deviceId()}`);
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  const registration = await navigator.serviceWorker.getRegistration();
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  await api.json('PATCH', '/me', { body: { preferences: { notificationsEnabled: false } } });
}

/** @param {string} text */
function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function browserName() {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox' : /Chrom/.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : 'Browser';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Mac OS/.test(agent) ? 'macOS' : /Windows/.test(agent) ? 'Windows' : /Linux/.test(agent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

/** The export needs the token, so it is fetched and saved through a blob: link. @param {import('../main.js').App} app */
async function downloadExport(app) {
  try {
    const response = await api.request('GET', '/export.csv');
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'kefir-data.csv';
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    app.notify(/** @type {Error} */ (error).message, 'error');
  }
}

/** @param {import('../main.js').App} app */
async function signOutEverywhere(app) {
  if (!window.confirm('Sign out on every device, this one included?')) return;
  try {
    await api.signOutEverywhere();
  } catch (error) {
    app.notify(error instanceof api.ApiError && error.status === 404
      ? 'This server cannot sign out other devices yet; use "Sign out" on each.'
      : /** @type {Error} */ (error).message, 'error');
  }
}

/** @param {any} user @param {import('../main.js').App} app */
function deleteAccountCard(user, app) {
  const confirmInput = /** @type {HTMLInputElement} */ (h('input', { name: 'confirmEmail', type: 'email', autocomplete: 'off' }));
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Delete my account and all its data');
  const form = /** @type {HTMLFormElement} */ (h('form', { novalidate: true },
    h('p', {}, 'This deletes every batch, timeline entry, photo, reminder and device, for good.'),
    field(`Type your email (${user.email}) to confirm`, confirmInput),
    formError(),
    submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    if (confirmInput.value.trim().toLowerCase() !== String(user.email).toLowerCase())
      return showFormError(form, { details: [{ field: 'confirmEmail', problem: 'Type your email exactly to confirm' }] });
    try {
      await api.deleteAccount();
      app.notify('Your account and all its data are deleted.');
    } catch (error) {
      showFormError(form, error);
    }
  });
  return h('details', { class: 'card danger-zone' }, h('summary', {}, 'Delete account'), form);
}
