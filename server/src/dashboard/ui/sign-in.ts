// The sign-in form: an operator API key, checked with one authenticated read (as `sparsefleet login` does) before
// it is kept in sessionStorage.
import { ApiRejectedError, DashboardApi } from './api.js';
import { el } from './dom.js';

export function signInForm(baseUrl: string, notice: string | undefined, onSignedIn: (api: DashboardApi, apiKey: string) => void): HTMLElement {
  const key = el('input', { attrs: { type: 'password', name: 'apiKey', autocomplete: 'off', required: '', placeholder: 'sfk_…' } });
  const message = el('p', { className: 'message', attrs: { role: 'alert' } }, notice ?? '');
  const button = el('button', { attrs: { type: 'submit' } }, 'Sign in');

  async function submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const apiKey = key.value.trim();
    if (apiKey === '') return;
    button.disabled = true;
    message.textContent = 'Checking the key…';
    const api = new DashboardApi(baseUrl, apiKey);
    try {
      await api.listDevices();
      onSignedIn(api, apiKey);
    } catch (error) {
      message.textContent = signInFailure(error);
    } finally {
      button.disabled = false;
    }
  }

  return el(
    'form',
    { className: 'sign-in', on: { submit: (event) => void submit(event) } },
    el('h2', {}, 'Sign in'),
    el('p', {}, 'The dashboard uses the coordinator’s REST API with an operator API key (create one with ', el('code', {}, 'sparsefleet apikey create'), ').'),
    el('label', {}, 'API key ', key),
    button,
    message,
  );
}

export function signInFailure(error: unknown): string {
  if (error instanceof ApiRejectedError && error.status === 401) {
    return 'The coordinator rejected this API key. Check it, or create one with `sparsefleet apikey create`.';
  }
  return `Could not sign in: ${error instanceof Error ? error.message : String(error)}`;
}
