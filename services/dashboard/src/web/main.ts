import { HttpError, type Plan, type Session, getJson } from './api.js';
import { clear, h } from './dom.js';
import { type Lang, formatDate, vietnamInstant } from './format.js';
import { lang, setLang, t } from './i18n.js';
import { renderFigure } from './pages/figure.js';
import { renderForecast } from './pages/forecast.js';
import { renderOverview } from './pages/overview.js';
import { renderReports } from './pages/reports.js';
import { renderTeacher } from './pages/teacher.js';
import { renderUnit } from './pages/unit.js';
import { renderUnits } from './pages/units.js';
import { type State, link, noteVisit, overviewData, route, sharedFromUrl } from './state.js';

const LANG_KEY = 'nhagiao.lang';
const root = document.getElementById('app') as HTMLElement;

/** The language: the URL's `lang` first (a shared link keeps it), then the reader's last choice. */
const initialLang = (): Lang => {
  const fromUrl = route().params.get('lang');
  if (fromUrl === 'en' || fromUrl === 'vi') return fromUrl;
  return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
};

const PAGES = [
  { path: '/overview', label: () => t().navOverview },
  { path: '/units', label: () => t().navUnits },
  { path: '/forecast', label: () => t().navForecast },
  { path: '/reports', label: () => t().navReports },
] as const;
/** Pages reached from another keep the nav entry of where they belong. */
const SECTION: Record<string, string> = {
  '/figure': '/overview',
  '/unit': '/units',
  '/teacher': '/units',
};

/** An error as the reader's language says it, never the server's English. */
const errorText = (e: unknown): string => {
  const errors = t().errors;
  if (e instanceof HttpError) {
    return errors[String(e.status)] ?? (e.status >= 500 ? errors['500'] : errors['400']) ?? '';
  }
  return errors.network ?? '';
};

const localKnownAt = (iso: string): string =>
  new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 19);
const nowInVietnam = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 19);

/** One spelling on every page: "thạc sĩ" (the plan's text also writes "thạc sỹ"). */
const withStandardSpelling = (plan: Plan): Plan => ({
  ...plan,
  indicators: plan.indicators.map((i) => ({
    ...i,
    title: { ...i.title, vi: i.title.vi.replace(/(t|T)hạc sỹ/g, '$1hạc sĩ') },
  })),
});

let rendering = 0;

const renderPage = async (state: State, main: HTMLElement): Promise<void> => {
  const ticket = ++rendering;
  const { path, params } = route();
  main.setAttribute('aria-busy', 'true');
  try {
    if (path === '/units') await renderUnits(main, state, params);
    else if (path === '/unit') await renderUnit(main, state, params);
    else if (path === '/teacher') await renderTeacher(main, state, params);
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
    // The page stays; the error is said above it, in the page's language.
    main.querySelector('.page-error')?.remove();
    main.prepend(
      h(
        'div',
        { class: 'page-error error', role: 'alert', 'data-testid': 'page-error' },
        h('p', {}, errorText(e)),
        h('button', { type: 'button', onClick: () => void renderPage(state, main) }, t().retry),
      ),
    );
  } finally {
    if (ticket === rendering) {
      main.removeAttribute('aria-busy');
      document.body.dataset.ready = path.slice(1) || 'overview';
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
    value: state.knownAt === null ? '' : localKnownAt(state.knownAt),
    'aria-describedby': 'known-at-help',
  });
  const asOfInput = h('input', { type: 'date', id: 'as-of', value: state.asOf, required: true });
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

  /** Moves to the same page with other shared state: the URL holds it, the page follows the URL. */
  const go = (next: Pick<State, 'asOf' | 'knownAt'>): void => {
    const { path, params } = route();
    const own: Record<string, string> = {};
    params.forEach((v, k) => {
      if (k !== 'asOf' && k !== 'knownAt' && k !== 'lang') own[k] = v;
    });
    location.hash = link(path, next, own);
  };
  toggle.addEventListener('change', () => {
    if (!toggle.checked) return go({ asOf: state.asOf, knownAt: null });
    if (knownAtInput.value === '') knownAtInput.value = nowInVietnam();
    go({ asOf: state.asOf, knownAt: vietnamInstant(knownAtInput.value) });
  });
  knownAtInput.addEventListener('change', () => {
    if (toggle.checked && knownAtInput.value !== '')
      go({ asOf: state.asOf, knownAt: vietnamInstant(knownAtInput.value) });
  });
  asOfInput.addEventListener('change', () => {
    const value = asOfInput.value;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) go({ asOf: value, knownAt: state.knownAt });
  });

  const navLinks = PAGES.map((p) =>
    h('a', { href: link(p.path, state), 'data-path': p.path }, p.label()),
  );
  const langButton = h(
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
        go(state);
      },
    },
    t().language,
  );

  clear(
    root,
    h(
      'a',
      {
        href: '#main',
        class: 'skip',
        // The fragment router owns the URL: the skip link moves the focus, not the page.
        onClick: (e: Event) => {
          e.preventDefault();
          main.focus();
        },
      },
      t().skip,
    ),
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
        langButton,
        h(
          'button',
          { type: 'button', class: 'wide-only', onClick: () => window.print() },
          t().printHint,
        ),
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
        navLinks.map((a) => h('li', {}, a)),
      ),
    ),
    h(
      'form',
      { class: 'controls no-print', onSubmit: (e: Event) => e.preventDefault() },
      h('label', { for: 'as-of' }, `${t().asOf} `, asOfInput, ' ', asOfText),
      h(
        'details',
        {
          class: 'known-at',
          // Folded on a phone until asked for; always open on a wider screen.
          open: state.knownAt !== null || window.matchMedia('(min-width: 641px)').matches,
        },
        h('summary', {}, t().knownAtSummary),
        h('label', { for: 'known-at-toggle', class: 'switch' }, toggle, ` ${t().knownAtToggle}`),
        h('label', { for: 'known-at' }, `${t().knownAt} `, knownAtInput),
        h('small', { id: 'known-at-help', class: 'muted' }, t().knownAtHelp),
      ),
    ),
    main,
  );

  const follow = (): void => {
    const { path } = route();
    const wanted = route().params.get('lang');
    if ((wanted === 'en' || wanted === 'vi') && wanted !== lang()) {
      // A shared link in the other language: the whole shell is redrawn in it.
      setLang(wanted);
      shell(state);
      return;
    }
    const shared = sharedFromUrl(route().params);
    state.asOf = shared.asOf;
    state.knownAt = shared.knownAt;
    asOfInput.value = state.asOf;
    asOfText.textContent = formatDate(state.asOf);
    toggle.checked = state.knownAt !== null;
    knownAtInput.disabled = state.knownAt === null;
    knownAtInput.value = state.knownAt === null ? '' : localKnownAt(state.knownAt);
    for (const a of navLinks) {
      const p = a.getAttribute('data-path') ?? '/overview';
      a.setAttribute('href', link(p, state));
      if (p === (SECTION[path] ?? path)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    noteVisit(location.hash === '' ? link('/overview', state) : location.hash);
    void renderPage(state, main);
  };
  window.onhashchange = follow;
  follow();
};

const start = async (session: Session): Promise<void> => {
  const shared = sharedFromUrl(route().params);
  // The scorecard's answer is asked for beside the plan, not after it: one round trip less to the first paint.
  if (route().path === '/overview')
    overviewData(shared.asOf, shared.knownAt).catch(() => undefined);
  const plan = await getJson<Plan>(`/v1/plans/${encodeURIComponent(session.planId)}`);
  shell({ ...sharedFromUrl(route().params), session, plan: withStandardSpelling(plan) });
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
      h(
        'p',
        { class: 'login-lang' },
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
              void showLogin();
            },
          },
          t().language,
        ),
      ),
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
  setLang(initialLang());
  try {
    // A signed-out visit is an ordinary answer (200, no session), not an error in the console.
    const session = await getJson<Session | { signedIn: false }>('/session');
    if ('role' in session) await start(session);
    else await showLogin();
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) await showLogin();
    else clear(root, h('p', { class: 'error', role: 'alert' }, errorText(e)));
  }
};

void boot();
