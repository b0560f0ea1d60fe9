// The operator dashboard: sign in with an API key, then four pages over the REST API (devices, jobs, campaigns,
// enrollment tokens), each polled every few seconds while it is open and the tab is visible.
import { ApiRejectedError, coordinatorBase, DashboardApi } from './api.js';
import { el, replaceChildren } from './dom.js';
import { session } from './session.js';
import { signInForm } from './sign-in.js';
import type { PageName, View, ViewContext } from './view.js';
import { campaignsView } from './views/campaigns.js';
import { devicesView } from './views/devices.js';
import { jobsView } from './views/jobs.js';
import { tokensView } from './views/tokens.js';

const POLL_INTERVAL_MS = 3000;
const PAGES: ReadonlyArray<readonly [PageName, string]> = [
  ['devices', 'Devices'],
  ['jobs', 'Jobs'],
  ['campaigns', 'Campaigns'],
  ['tokens', 'Enrollment tokens'],
];

const root = document.getElementById('app')!;
const baseUrl = coordinatorBase(location.href);

function start(notice?: string): void {
  const apiKey = session.apiKey();
  if (apiKey === undefined) {
    replaceChildren(
      root,
      signInForm(baseUrl, notice, (api, signedInKey) => {
        session.signIn(signedInKey);
        showDashboard(api);
      }),
    );
    return;
  }
  showDashboard(new DashboardApi(baseUrl, apiKey));
}

function showDashboard(api: DashboardApi): void {
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const main = el('main');
  const tabs = new Map<PageName, HTMLAnchorElement>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let current: View | undefined;

  const context: ViewContext = {
    api,
    fail: (error) => report(error),
    navigate: (page, selection) => {
      if (selection !== undefined) views[page].select?.(selection);
      location.hash = page;
    },
  };
  const views: Record<PageName, View> = {
    devices: devicesView(context),
    jobs: jobsView(context),
    campaigns: campaignsView(context),
    tokens: tokensView(context),
  };

  function report(error: unknown): void {
    if (error instanceof ApiRejectedError && error.status === 401) {
      signOut('The coordinator no longer accepts this API key (revoked?). Sign in again.');
      return;
    }
    status.textContent = error instanceof Error ? error.message : String(error);
    status.classList.add('error');
  }

  async function refresh(): Promise<void> {
    if (current === undefined) return;
    try {
      await current.refresh();
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      status.classList.remove('error');
    } catch (error) {
      report(error);
    }
  }

  function open(): void {
    const page = pageOf(location.hash);
    for (const [name, tab] of tabs) tab.classList.toggle('active', name === page);
    current = views[page];
    replaceChildren(main, current.element);
    void refresh();
  }

  function signOut(notice?: string): void {
    if (timer !== undefined) clearInterval(timer);
    window.removeEventListener('hashchange', open);
    session.signOut();
    start(notice);
  }

  const nav = el(
    'nav',
    {},
    ...PAGES.map(([page, label]) => {
      const tab = el('a', { attrs: { href: `#${page}`, 'data-tab': page } }, label);
      tabs.set(page, tab);
      return tab;
    }),
    el('button', { className: 'sign-out', attrs: { type: 'button' }, on: { click: () => signOut() } }, 'Sign out'),
  );
  replaceChildren(root, nav, status, main);
  window.addEventListener('hashchange', open);
  timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, POLL_INTERVAL_MS);
  open();
}

function pageOf(hash: string): PageName {
  const name = hash.replace(/^#/, '');
  return PAGES.some(([page]) => page === name) ? (name as PageName) : 'devices';
}

start();
