// Sign in: an email gets a 6-digit code (SPEC §2), the code signs in. A new code can be asked for only after the
// server's 30 s resend cooldown, shown as a countdown.
import * as api from '../api.js';
import { clearFormErrors, field, formError, h, heading, showFormError } from '../view.js';

const RESEND_COOLDOWN_S = 30;

/** @param {HTMLElement} view @param {Record<string, string>} _params @param {import('../main.js').App} app */
export async function show(view, _params, app) {
  showEmailStep(view, app, '');
}

/** @param {HTMLElement} view @param {import('../main.js').App} app @param {string} email */
function showEmailStep(view, app, email) {
  const input = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, value: email, inputmode: 'email' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send me a code');
  const form = /** @type {HTMLFormElement} */ (
    h('form', { class: 'card', novalidate: true }, field('Email', input, 'We email you a 6-digit code; no password needed.'), formError(), submit)
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const address = /** @type {HTMLInputElement} */ (input).value.trim();
    if (!address.includes('@')) return showFormError(form, { details: [{ field: 'email', problem: 'Enter your email address' }] });
    submit.setAttribute('disabled', '');
    try {
      await api.requestCode(address);
      showCodeStep(view, app, address);
    } catch (error) {
      showFormError(form, describe(error));
      submit.removeAttribute('disabled');
    }
  });
  view.replaceChildren(
    h('section', { class: 'sign-in' },
      heading('Sign in'),
      h('p', { class: 'lead' }, 'Track your kefir batches, from the first jar to the last bottle.'),
      form),
  );
  /** @type {HTMLInputElement} */ (input).focus();
}

/** @param {HTMLElement} view @param {import('../main.js').App} app @param {string} email */
function showCodeStep(view, app, email) {
  const input = h('input', {
    name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const resend = h('button', { type: 'button', class: 'secondary' });
  const form = /** @type {HTMLFormElement} */ (
    h('form', { class: 'card', novalidate: true }, field('6-digit code', input, `Sent to ${email}. It is valid for 10 minutes.`), formError(), submit)
  );
  let timer = 0;
  const startCooldown = () => {
    let left = RESEND_COOLDOWN_S;
    resend.setAttribute('disabled', '');
    resend.textContent = `Send a new code in ${left} s`;
    clearInterval(timer);
    timer = window.setInterval(() => {
      left -= 1;
      if (!resend.isConnected) return clearInterval(timer);
      if (left > 0) return void (resend.textContent = `Send a new code in ${left} s`);
      clearInterval(timer);
      resend.removeAttribute('disabled');
      resend.textContent = 'Send a new code';
    }, 1000);
  };
  resend.addEventListener('click', async () => {
    try {
      await api.requestCode(email);
      app.notify(`A new code is on its way to ${email}.`);
      startCooldown();
    } catch (error) {
      showFormError(form, describe(error));
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const code = /** @type {HTMLInputElement} */ (input).value.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return showFormError(form, { details: [{ field: 'code', problem: 'The code has 6 digits' }] });
    submit.setAttribute('disabled', '');
    try {
      await api.verifyCode(email, code);
      clearInterval(timer);
      app.navigate('#/batches');
    } catch (error) {
      showFormError(form, describe(error));
      submit.removeAttribute('disabled');
    }
  });
  view.replaceChildren(
    h('section', { class: 'sign-in' },
      heading('Enter your code'),
      form,
      h('div', { class: 'actions' },
        resend,
        h('button', { type: 'button', class: 'link', onclick: () => showEmailStep(view, app, email) }, 'Use another email'))),
  );
  startCooldown();
  /** @type {HTMLInputElement} */ (input).focus();
}

/** Sign-in errors in the words a person needs. @param {any} error */
function describe(error) {
  if (error?.code === 'INVALID_CODE') return { details: [{ field: 'code', problem: 'That code is wrong or has expired. Check the latest email, or ask for a new code.' }] };
  if (error?.status === 429) return { message: `Too many attempts. Try again in ${error.retryAfter || 60} seconds.` };
  return error;
}
