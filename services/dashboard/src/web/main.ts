import { HttpError, type Plan, type Session, getJson } from './api.js';
import { clear, h } from './dom.js';
import { type Lang, formatDate, vietnamInstant } from './format.js';
import { lang, setLang, t } from './i18n.js';
import { renderFigure } from './pages/figure.js';
import { renderForecast } from './pages/forecast.js';
import { renderOverview } from './pages/overview.js';
import { renderReports } from './pages/reports.js';
import { renderUnits } from './pages/units.js';
import { type State, todayInVietnam } from './state.js';

const LANG_KEY = 'nhagiao.lang';
const root = document.getElementById('app') as HTMLElement;

const storedLang = (): Lang => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi');

const PAGES = [
  { path: '/overview', label: () => t().navOverview },
  { path: '/units', label: () => t().navUnits },
  { path: '/forecast', label: () => t().navForecast },
  { path: '/reports', label: () => t().navReports },
] as const;

const route = (): { path: string; params: URLSearchParams } => {
  const hash = location.hash.replace(/^#/, '') || '/overview';
  const [path = '/overview', search = ''] = hash.split('?');
  return { path, params: new URLSearchParams(search) };
};

let rendering = 0;

const renderPage = async (state: State, main: HTMLElement): Promise<void> => {
  const ticket = ++rendering;
  const { path, params } = route();
  main.setAttribute('aria-busy', 'true');
  document.querySelectorAll('nav a').forEach((a) => {
    if (a.getAttribute('href') === `#${path}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  try {
    if (path === '/units') await renderUnits(main, state);
    else if (path === '/figure') await renderFigure(main, state, params);
    else if (path === '/forecast') await renderForecast(main, state);
    else if (path === '/reports') await renderReports(main, state, params);
    else await renderOverview(main, state);
  } catch (e) {
    if (ticket !== rendering) return;
    if (e instanceof HttpError && e.status === 401) {
      void showLogin();
      return;
    }
    clear(
      main,
      h('p', { class: 'error', role: 'alert' }, `${t().failed}: ${(e as Error).message}`),
    );
  } finally {
    if (ticket === rendering) {
      main.removeAttribute('aria-busy');
      document.body.dataset.ready = path.slice(1);
    }
  }
};

const shell = (state: State): void => {
  const main = h('main', { id: 'main', tabindex: -1 });
  const knownAtInput = h('input', {
    type: 'datetime-local',
    id: 'known-at',
    step: 1,
    disabled: state.knownAt === null,
    value: state.knownAt === null ? `${todayInVietnam()}T00:00:00` : state.knownAt.slice(0, 19),
  });
  // The native picker follows the browser's locale; the date is also written dd/MM/yyyy.
  const asOfText = h(
    'output',
    { for: 'as-of', 'data-testid': 'as-of-text' },
    formatDate(state.asOf),
  );
  const toggle = h('input', {
    type: 'checkbox',
    id: 'known-at-toggle',
    checked: state.knownAt !== null,
  });
  const applyKnownAt = (): void => {
    knownAtInput.disabled = !toggle.checked;
    state.knownAt =
      toggle.checked && knownAtInput.value !== '' ? vietnamInstant(knownAtInput.value) : null;
    void renderPage(state, main);
  };
  toggle.addEventListener('change', applyKnownAt);
  knownAtInput.addEventListener('change', applyKnownAt);

  clear(
    root,
    h('a', { href: '#main', class: 'skip' }, t().skip),
    h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'brand' },
        h('p', { class: 'title' }, t().appTitle),
        h('p', { class: 'subtitle' }, t().appSubtitle),
      ),
      h(
        'div',
        { class: 'who no-print' },
        h(
          'span',
          { 'data-testid': 'role' },
          `${t().role}: ${(t().roles as Record<string, string>)[state.session.role] ?? state.session.role}`,
        ),
        h(
          'button',
          {
            type: 'button',
            lang: lang() === 'vi' ? 'en' : 'vi',
            'aria-label': t().languageLabel,
            'data-testid': 'lang',
            onClick: () => {
              setLang(lang() === 'vi' ? 'en' : 'vi');
              localStorage.setItem(LANG_KEY, lang());
              shell(state);
            },
          },
          t().language,
        ),
        h('button', { type: 'button', onClick: () => window.print() }, t().printHint),
        h(
          'button',
          {
            type: 'button',
            'data-testid': 'logout',
            onClick: async () => {
              await fetch('/session', { method: 'DELETE', credentials: 'same-origin' });
              void showLogin();
            },
          },
          t().logout,
        ),
      ),
    ),
    h(
      'nav',
      { 'aria-label': t().appTitle, class: 'no-print' },
      h(
        'ul',
        {},
        PAGES.map((p) => h('li', {}, h('a', { href: `#${p.path}` }, p.label()))),
      ),
    ),
    h(
      'form',
      { class: 'controls no-print', onSubmit: (e: Event) => e.preventDefault() },
      h(
        'label',
        { for: 'as-of' },
        `${t().asOf} `,
        h('input', {
          type: 'date',
          id: 'as-of',
          value: state.asOf,
          required: true,
          onChange: (e: Event) => {
            const value = (e.target as HTMLInputElement).value;
            if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
              state.asOf = value;
              asOfText.textContent = formatDate(value);
              void renderPage(state, main);
            }
          },
        }),
        ' ',
        asOfText,
      ),
      h('label', { for: 'known-at-toggle', class: 'switch' }, toggle, ` ${t().knownAtToggle}`),
      h('label', { for: 'known-at' }, `${t().knownAt} `, knownAtInput),
    ),
    main,
  );
  window.onhashchange = () => void renderPage(state, main);
  void renderPage(state, main);
};

const start = async (session: Session): Promise<void> => {
  const plan = await getJson<Plan>(`/v1/plans/${encodeURIComponent(session.planId)}`);
  shell({ asOf: todayInVietnam(), knownAt: null, session, plan });
};

const showLogin = async (): Promise<void> => {
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    autocomplete: 'off',
    required: true,
  });
  const message = h('p', { role: 'alert', class: 'error' });
  clear(
    root,
    h(
      'main',
      { id: 'main', class: 'login' },
      h('h1', {}, t().appTitle),
      h(
        'form',
        {
          'data-testid': 'login',
          onSubmit: async (e: Event) => {
            e.preventDefault();
            const res = await fetch('/session', {
              method: 'POST',
              credentials: 'same-origin',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ key: input.value }),
            });
            // The key leaves the page: only the HttpOnly cookie stands for it now.
            input.value = '';
            if (!res.ok) {
              message.textContent = t().loginFailed;
              return;
            }
            await start((await res.json()) as Session);
          },
        },
        h('h2', {}, t().loginTitle),
        h('p', {}, t().loginHelp),
        h('label', { for: 'api-key' }, t().keyLabel),
        input,
        h('button', { type: 'submit' }, t().loginButton),
        message,
      ),
    ),
  );
  document.body.dataset.ready = 'login';
};

const boot = async (): Promise<void> => {
  setLang(storedLang());
  try {
    await start(await getJson<Session>('/session'));
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) await showLogin();
    else
      clear(
        root,
        h('p', { class: 'error', role: 'alert' }, `${t().failed}: ${(e as Error).message}`),
      );
  }
};

void boot();
