/// <reference lib="dom" />
// The dashboard shell: sign-in with an API key, navigation (hash routes, so the API serves one
// page), the live event stream, and the first-render measurement.
import { api, ApiError, session, setUnauthorizedHandler } from './api.js';
import { h, replace } from './dom.js';
import { connectEvents, type StreamState } from './events.js';
import type { Page, PageContext, UiConfig } from './page.js';
import { campaignPage } from './pages/campaign.js';
import { campaignsPage } from './pages/campaigns.js';
import { messagePage, messagesPage } from './pages/messages.js';
import { otpPage } from './pages/otp.js';
import { overviewPage } from './pages/overview.js';
import { suppressionsPage } from './pages/suppressions.js';
import { providersPage } from './pages/providers.js';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const live = document.getElementById('live')!;
const signOutButton = document.getElementById('sign-out')!;
let current: Page | undefined;
let config: UiConfig | undefined;
let stopEvents: (() => void) | undefined;
let firstRenderDone = false;
const CONFIG_KEY = 'kurir.uiConfig';

function rendered(): void {
  if (firstRenderDone) return;
  firstRenderDone = true;
  // Time from navigation start to the first page showing its data (read by the e2e test).
  requestAnimationFrame(() => {
    const m = performance.mark('kurir-first-render');
    document.documentElement.dataset.firstRenderMs = String(Math.round(m.startTime));
  });
}

function route(): Page {
  const ctx: PageContext = { config: config!, rendered };
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'campaigns':
      return parts[1] ? campaignPage(ctx, parts[1]) : campaignsPage(ctx);
    case 'otp':
      return otpPage(ctx);
    case 'overview':
      return overviewPage(ctx);
    case 'suppressions':
      return suppressionsPage(ctx);
    case 'providers':
      return providersPage(ctx);
    case 'messages':
      return parts[1] ? messagePage(ctx, parts[1]) : messagesPage(ctx, params.get('q') ?? '');
    default:
      return messagesPage(ctx, params.get('q') ?? '');
  }
}

function show(): void {
  if (!config) return;
  current?.dispose?.();
  current = route();
  replace(main, current.el);
  const section = location.hash.split('/')[1] ?? 'messages';
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${section}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Keyboard and screen-reader users land on the new page's heading.
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  document.title = `${heading?.textContent ?? 'Dashboard'} · kurir`;
}

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'Live: connecting…',
  live: 'Live',
  unavailable: 'Live stream unavailable: polling',
};

function signedIn(cfg: UiConfig): void {
  config = cfg;
  nav.hidden = false;
  signOutButton.hidden = false;
  live.hidden = false;
  let seen = 0;
  stopEvents = connectEvents(
    (e) => {
      // A count on the page (data-events-seen) shows the stream is flowing (the e2e test reads it).
      document.documentElement.dataset.eventsSeen = String(++seen);
      current?.onEvent?.(e);
    },
    (s) => {
      live.textContent = STATE_TEXT[s];
      live.dataset.state = s;
    },
  );
  if (!location.hash) location.hash = '#/campaigns';
  else show();
}

function signOut(message?: string): void {
  session.clear();
  sessionStorage.removeItem(CONFIG_KEY);
  stopEvents?.();
  current?.dispose?.();
  current = undefined;
  config = undefined;
  nav.hidden = true;
  signOutButton.hidden = true;
  live.hidden = true;
  signInForm(message);
}

function signInForm(message?: string): void {
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'api-key-help',
  });
  const error = h('p', { id: 'sign-in-error', class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-help', class: 'help' },
      'One of KURIR_API_KEYS. It is kept in this tab only (sessionStorage) and sent as a Bearer token.',
    ),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    void api<UiConfig>('/v1/ui/config', { key }).then(
      (cfg) => {
        session.set(key);
        sessionStorage.setItem(CONFIG_KEY, JSON.stringify(cfg));
        signedIn(cfg);
      },
      (err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.status === 401
            ? 'That API key was not accepted.'
            : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`;
        input.focus();
      },
    );
  });
  replace(main, form);
  input.focus();
}

setUnauthorizedHandler(() => signOut('Your API key was not accepted (signed out).'));
signOutButton.addEventListener('click', () => signOut());
// The skip link must not change the hash: that is the router's.
document.querySelector('.skip')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', show);

// A reload in a signed-in tab renders at once from the settings kept with the key; they are
// refreshed in the background (a refused key signs out through the 401 handler).
const saved = session.get();
const cached = sessionStorage.getItem(CONFIG_KEY);
if (saved && cached) {
  signedIn(JSON.parse(cached) as UiConfig);
  void api<UiConfig>('/v1/ui/config').then(
    (cfg) => {
      config = cfg;
      sessionStorage.setItem(CONFIG_KEY, JSON.stringify(cfg));
    },
    () => undefined,
  );
} else if (saved) {
  void api<UiConfig>('/v1/ui/config').then(
    (cfg) => {
      sessionStorage.setItem(CONFIG_KEY, JSON.stringify(cfg));
      signedIn(cfg);
    },
    () => signOut(),
  );
} else {
  signInForm();
}
