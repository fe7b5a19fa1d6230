import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import type { Envelope } from '@nhagiao/domain';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Stack, openStack } from './test-support/stack.js';
import { formatPercent } from './web/format.js';

const ARTIFACTS = path.join(process.cwd(), 'test-artifacts', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Figure {
  indicator: string;
  numerator: number;
  denominator: number;
  value: number | null;
}
interface Pipeline {
  population: number;
  postgraduate: {
    expectedYear: number | null;
    level: string;
    studies: number;
    newToMasterOrAbove: number;
  }[];
  enrolments: { topic: string; enrolments: number; teachers: number; notYetTrained: number }[];
  departures: { month: string; teachers: number; masterOrAbove: number }[];
}
interface Card {
  indicator: string;
  value: string;
  numerator: number;
  denominator: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `read` gives what `expected` says, or fails with the last reading. */
const eventually = async <T>(
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 15_000,
): Promise<void> => {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < until) {
    await sleep(100);
    last = await read();
  }
  expect(last).toEqual(expected);
};

// The machine is shared with other test runs; a browser step can stall for seconds under load.
jest.setTimeout(45_000);

describe('plan dashboard in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let reporter: string;
  let auditor: string;
  let admin: string;
  let publishedAt: string;
  const names: string[] = [];
  const offHost: string[] = [];
  const texts: string[] = [];

  const api = async <T>(url: string, key = admin): Promise<T> => {
    const res = await fetch(stack.address + url, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const expectedCards = (figures: readonly Figure[]): Card[] =>
    figures.map((f) => ({
      indicator: f.indicator,
      value: formatPercent(f.value, 'vi'),
      numerator: f.numerator,
      denominator: f.denominator,
    }));
  const readCards = (): Promise<Card[]> =>
    page.$$eval('article.card', (cards) =>
      cards.map((c) => ({
        indicator: c.getAttribute('data-indicator') ?? '',
        value: c.querySelector('[data-testid="value"]')?.textContent ?? '',
        numerator: Number(
          (c.querySelector('[data-testid="numerator"]')?.textContent ?? '').replace(/\./g, ''),
        ),
        denominator: Number(
          (c.querySelector('[data-testid="denominator"]')?.textContent ?? '').replace(/\./g, ''),
        ),
      })),
    );
  const shot = async (name: string) => {
    texts.push(await page.innerText('body'));
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const ready = (name: string) => page.waitForSelector(`body[data-ready="${name}"]`);
  const login = async (key: string) => {
    await page.goto(stack.address + '/');
    await ready('login');
    await page.fill('#api-key', key);
    await page.click('form[data-testid="login"] button[type="submit"]');
    await ready('overview');
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await openStack({});
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    const dataset: Envelope[] = [...generateDataset({ teachers: 120 })];
    for (const e of dataset) if (e.type === 'TeacherRegistered') names.push(e.data.fullName);
    await stack.ingest(dataset);

    // The published view: what was known before a late batch of master's degrees arrived.
    await sleep(1100);
    publishedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await sleep(1100);
    const explain = await api<{ teachers: { teacherId: string; numerator: number }[] }>(
      '/v1/indicators/master-or-above/explain?asOf=2025-12-31',
    );
    const without = explain.teachers.filter((t) => t.numerator === 0).slice(0, 6);
    expect(without.length).toBe(6);
    await stack.ingest(
      without.map((t, i) => ({
        id: `00000000-0000-4000-8000-00000000000${i}`,
        type: 'DegreeAwarded',
        data: {
          teacherId: t.teacherId,
          degreeId: `late-master-${i}`,
          level: 'master',
          field: 'Khoa học giáo dục',
          institution: 'Đại học Thái Nguyên',
          awardedOn: '2024-06-01',
        },
      })) as Envelope[],
    );

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
      locale: 'vi-VN',
    });
    const host = new URL(stack.address).host;
    // Nothing leaves the machine: every request off loopback is refused and recorded.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host === host || url.protocol === 'blob:' || url.protocol === 'data:')
        return route.continue();
      offHost.push(url.href);
      return route.abort();
    });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('logs in with a key exchanged for an HttpOnly cookie and paints the figures fast', async () => {
    await login(reporter);
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: 'nhagiao_session',
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      }),
    ]);
    expect(
      await page.evaluate(
        () => JSON.stringify(localStorage) + document.cookie + document.documentElement.outerHTML,
      ),
    ).not.toContain(reporter);

    // A fresh load with the session: the first meaningful paint is the six cards with their figures.
    await page.goto(stack.address + '/');
    await page.waitForSelector('article.card [data-testid="value"]');
    const paint = await page.evaluate(
      () => performance.getEntriesByName('nhagiao:figures')[0]?.startTime ?? -1,
    );
    writeFileSync(
      path.join(ARTIFACTS, 'first-paint.txt'),
      `first meaningful paint: ${paint.toFixed(0)} ms\n`,
    );
    expect(paint).toBeGreaterThan(0);
    expect(paint).toBeLessThan(1000);
  });

  it('shows the same figures as GET /v1/indicators, and follows "as of" as the API does', async () => {
    await ready('overview');
    const asOf = await page.inputValue('#as-of');
    const now = await api<{ figures: Figure[] }>(`/v1/indicators?asOf=${asOf}`);
    expect(await readCards()).toEqual(expectedCards(now.figures));
    await shot('overview');

    const before = await api<{ figures: Figure[] }>('/v1/indicators?asOf=2024-06-30');
    expect(before.figures).not.toEqual(now.figures);
    await page.fill('#as-of', '2024-06-30');
    await eventually(readCards, expectedCards(before.figures));
    expect(await page.innerText('[data-testid="as-of-text"]')).toBe('30/06/2024');
  });

  it('shows the published figures as known at a time, and marks what the corrections changed', async () => {
    await page.fill('#as-of', '2025-12-31');
    const known = await api<{ figures: Figure[] }>(
      `/v1/indicators?asOf=2025-12-31&knownAt=${encodeURIComponent(publishedAt)}`,
    );
    const current = await api<{ figures: Figure[] }>('/v1/indicators?asOf=2025-12-31');
    const master = (rows: Figure[]) =>
      rows.find((f) => f.indicator === 'master-or-above') as Figure;
    expect(master(current.figures).numerator).toBe(master(known.figures).numerator + 6);

    await page.check('#known-at-toggle');
    const local = new Date(Date.parse(publishedAt) + 7 * 3600_000).toISOString().slice(0, 19);
    await page.fill('#known-at', local);
    await eventually(readCards, expectedCards(known.figures));
    const card = page.locator(
      'article[data-indicator="master-or-above"] [data-testid="correction"]',
    );
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('changed');
    expect(await card.locator('[data-testid="corrected-value"]').innerText()).toBe(
      formatPercent(master(current.figures).value, 'vi'),
    );
    // An indicator no correction touched says so.
    expect(
      await page
        .locator(
          'article[data-indicator="trained-digital-transformation"] [data-testid="correction"]',
        )
        .getAttribute('class'),
    ).toBe('correction');
    await ready('overview');
    await shot('overview-known-at');
    // Before the first event was recorded nothing was known: every figure is zero, not an error.
    const nothing = await api<{ knownAt: string; figures: Figure[] }>(
      `/v1/indicators?asOf=2025-12-31&knownAt=${encodeURIComponent('2000-01-01T00:00:00+07:00')}`,
    );
    expect(nothing.knownAt).toBe('-1');
    expect(nothing.figures.every((f) => f.numerator === 0 && f.denominator === 0)).toBe(true);
    await page.fill('#known-at', '2000-01-01T00:00:00');
    await eventually(readCards, expectedCards(nothing.figures));
    await ready('overview');
    expect(await page.locator('[role="alert"].error').count()).toBe(0);
    await page.uncheck('#known-at-toggle');
    await eventually(readCards, expectedCards(current.figures));
  });

  it('lists units against their targets, sorts, filters by kind and exports CSV', async () => {
    await page.click('nav a[href="#/units"]');
    await ready('units');
    const byUnit = await api<{ figures: (Figure & { scope: string })[] }>(
      '/v1/indicators?asOf=2025-12-31&by=unit',
    );
    const college = byUnit.figures.find(
      (f) => f.scope === 'unit:cdbk' && f.indicator === 'master-or-above',
    ) as Figure;
    const cell = page.locator('tr[data-unit="cdbk"] td[data-indicator="master-or-above"]');
    expect(await cell.innerText()).toContain(formatPercent(college.value, 'vi'));
    // Colour is not the only signal: each cell carries a symbol and a spoken band.
    expect(await cell.innerText()).toMatch(/^[✓▲▼–]/);
    await shot('units');

    await page.click('button[data-sort="master-or-above"]');
    const values = await page.$$eval('td[data-indicator="master-or-above"]', (cells) =>
      cells.map((c) => Number((c.textContent ?? '').replace(/[^\d,]/g, '').replace(',', '.')) || 0),
    );
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(
      await page.getAttribute('th:has(button[data-sort="master-or-above"])', 'aria-sort'),
    ).toBe('descending');

    await page.selectOption('#filter-kind', 'college');
    const kinds = await page.$$eval('table[data-testid="matrix"] tbody tr', (rows) =>
      rows.map((r) => r.children[1]?.textContent),
    );
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['Trường cao đẳng']));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button[data-testid="export-csv"]'),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('unitId,unit,kind,area,countsUnder,master-or-above.numerator');
    expect(lines).toHaveLength(kinds.length + 1);
    expect(lines[1]).toContain(`${college.numerator},${college.denominator}`);
    await page.selectOption('#filter-kind', '');
  });

  it('writes both forecast methods on the page and shows the pipeline counts the API gives', async () => {
    await page.click('nav a[href="#/forecast"]');
    await ready('forecast');
    expect(await page.innerText('[data-testid="method"]')).toContain('12 tháng gần nhất');
    const method = await page.innerText('[data-testid="pipeline-method"]');
    // The assumed completion probabilities are stated, and said to be assumptions.
    expect(method).toContain('80,0\u00a0%');
    expect(method).toContain('90,0\u00a0%');
    expect(method).toContain('giả định');
    expect(await page.locator('table[data-testid="forecast"] tbody tr').count()).toBe(6);

    const asOf = await page.inputValue('#as-of');
    const pipeline = await api<Pipeline>(`/v1/pipeline?asOf=${asOf}`, reporter);
    expect(pipeline.postgraduate.length).toBeGreaterThan(0);
    expect(
      Number((await page.innerText('[data-testid="pipeline-population"]')).replace(/\./g, '')),
    ).toBe(pipeline.population);
    const cells = (table: string, testids: readonly string[]) =>
      page.$$eval(
        `table[data-testid="${table}"] tbody tr:is([data-year], [data-topic], [data-month])`,
        (rows, ids) =>
          rows.map((r) => [
            r.getAttribute('data-year') ??
              r.getAttribute('data-topic') ??
              r.getAttribute('data-month'),
            r.getAttribute('data-level'),
            ...ids.map((id) =>
              Number(
                (r.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').replace(/\./g, ''),
              ),
            ),
          ]),
        testids,
      );
    expect(await cells('pipeline-studies', ['studies', 'new'])).toEqual(
      pipeline.postgraduate.map((r) => [
        String(r.expectedYear ?? 'none'),
        r.level,
        r.studies,
        r.newToMasterOrAbove,
      ]),
    );
    expect(await cells('pipeline-enrolments', ['enrolments', 'teachers', 'not-yet'])).toEqual(
      pipeline.enrolments.map((r) => [r.topic, null, r.enrolments, r.teachers, r.notYetTrained]),
    );
    const departures = await cells('pipeline-departures', ['teachers', 'master']);
    expect(departures).toEqual(
      pipeline.departures.map((r) => [r.month, null, r.teachers, r.masterOrAbove]),
    );
    // The pipeline-adjusted projection is shown for master-or-above, never for the college indicator.
    expect(
      await page
        .locator('tr[data-indicator="master-or-above"] [data-testid="with-pipeline"]')
        .count(),
    ).toBeGreaterThan(0);
    expect(
      await page
        .locator('tr[data-indicator="college-lecturers-qualified"] [data-testid="with-pipeline"]')
        .count(),
    ).toBe(0);
    await shot('forecast');
  });

  it("shows each unit's annual report status against 25 August, with its date and its XLSX", async () => {
    await stack.ingest([
      {
        id: '00000000-0000-4000-8000-0000000000a1',
        type: 'AnnualReportSubmitted',
        data: {
          unitId: 'cdbk',
          year: 2025,
          asOf: '2025-06-30',
          submittedOn: '2025-08-20',
          values: [{ indicator: 'master-or-above', numerator: 1, denominator: 2 }],
        },
      },
    ] as Envelope[]);
    await page.click('nav a[href="#/reports"]');
    await ready('reports');
    expect(await page.innerText('[data-testid="reports-rule"]')).toContain('25/8');
    const row = (unitId: string) =>
      page.locator(`table[data-testid="reports"] tr[data-unit="${unitId}"]`);
    expect(await row('cdbk').getAttribute('data-status')).toBe('submitted');
    expect(await row('cdbk').locator('[data-testid="status"]').innerText()).toContain('Đã nộp');
    expect(await row('cdbk').locator('[data-testid="submitted-on"]').innerText()).toBe(
      '20/08/2025',
    );
    expect(await row('gdnn-ba-be').getAttribute('data-status')).toBe('missing');
    expect(await row('gdnn-ba-be').locator('[data-testid="status"]').innerText()).toContain(
      'Chưa nộp',
    );
    await shot('reports');

    // The link downloads the unit's report with the session cookie alone.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row('cdbk').locator('a[data-testid="xlsx"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('bao-cao-cdbk-2025.xlsx');
    const bytes = readFileSync((await download.path()) as string);
    // An XLSX is a zip: it starts with "PK".
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('gives a reporter the figure without the teachers behind it', async () => {
    await page.click('nav a[href="#/overview"]');
    await ready('overview');
    await page.click('article[data-indicator="master-or-above"] a.details');
    await ready('figure');
    const expected = await api<Figure>(
      '/v1/indicators/master-or-above/explain?asOf=2025-12-31',
      reporter,
    );
    expect(Number(await page.innerText('[data-testid="explain"] [data-testid="numerator"]'))).toBe(
      expected.numerator,
    );
    expect(await page.locator('[data-testid="personal-only"]').count()).toBe(1);
    expect(await page.locator('[data-testid="teachers"]').count()).toBe(0);
    await shot('figure-reporter');
    // Across every page the reporter saw, not one teacher's name.
    const seen = texts.join('\n');
    expect(names.length).toBe(120);
    expect(names.filter((n) => seen.includes(n))).toEqual([]);
  });

  it('takes an auditor from a figure to the teachers behind it and to the events that moved it', async () => {
    await page.click('button[data-testid="logout"]');
    await ready('login');
    expect(await context.cookies()).toEqual([]);
    await login(auditor);
    await page.fill('#as-of', '2025-12-31');
    await page.goto(stack.address + '/#/figure?code=master-or-above&scope=province');
    await ready('figure');
    const history = await api<{ rows: { eventId: string; position: string }[] }>(
      '/v1/indicators/master-or-above/history',
      auditor,
    );
    expect(await page.locator('table[data-testid="teachers"] tbody tr').count()).toBeGreaterThan(0);
    const newest = [...history.rows].sort((a, b) =>
      Number(BigInt(b.position) - BigInt(a.position)),
    )[0];
    const button = page.locator(`button[data-event="${newest?.eventId}"]`).first();
    await button.click();
    const event = page.locator(`.event[data-event-id="${newest?.eventId}"]`);
    await event.waitFor();
    expect(await event.innerText()).toContain('DegreeAwarded');
    await shot('figure-auditor-event');

    await page.locator('table[data-testid="teachers"] tbody button').first().click();
    await page.waitForSelector('.detail h2');
    const heading = await page.innerText('.detail h2');
    expect(names.some((n) => heading.includes(n))).toBe(true);
  });

  it('switches to English, fits a phone and prints on A4', async () => {
    await page.click('button[data-testid="lang"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.innerText('nav')).toContain('Overview');
    await page.click('nav a[href="#/overview"]');
    await ready('overview');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-phone-en.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    await page.pdf({ path: path.join(ARTIFACTS, 'overview-a4.pdf'), format: 'A4' });
    await page.emulateMedia({ media: 'screen' });
  });

  it('requested nothing off this machine', () => {
    expect(offHost).toEqual([]);
  });
});
