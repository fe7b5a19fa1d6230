import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateDataset } from '@nhagiao/dataset';
import type { Envelope } from '@nhagiao/domain';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Stack, openStack } from './test-support/stack.js';
import { formatPercent } from './web/format.js';

const ARTIFACTS = path.join(process.cwd(), 'test-artifacts', 'dashboard');
const REPO = path.resolve(__dirname, '..', '..', '..');
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
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
/** "As of" for the shared URLs: after the 2025 targets were judged, before 2030. */
const AS_OF = '2026-06-30';
/** The demo: `nhagiao demo` generates 320 teachers with seed 423. */
const DEMO = { teachers: 320, seed: 423 };

interface Figure {
  indicator: string;
  numerator: number;
  denominator: number;
  value: number | null;
}
interface CliFigure extends Figure {
  targets: Record<string, number>;
  meetsTarget: Record<string, boolean | null>;
}
interface Pipeline {
  asOf: string;
  population: number;
  postgraduate: {
    expectedYear: number | null;
    level: string;
    studies: number;
    newToMasterOrAbove: number;
  }[];
  enrolments: { topic: string; enrolments: number; teachers: number; notYetTrained: number }[];
  departures: {
    month: string;
    teachers: number;
    masterOrAbove: number;
    trained: Record<string, number>;
  }[];
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

/** The teachers a figure lacks, as a reader would count them from the CLI's Đạt/Tổng. */
const shortOf = (numerator: number, denominator: number, target: number): number => {
  let n = 0;
  while (denominator > 0 && (numerator + n) / denominator < target - 1e-12) n += 1;
  return n;
};

// The machine is shared with other test runs; a browser step can stall for seconds under load.
jest.setTimeout(60_000);

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
  const consoleErrors: string[] = [];
  const texts: string[] = [];
  const apiCalls: string[] = [];

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
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const login = async (key: string, target = page) => {
    await target.goto(stack.address + '/');
    await target.waitForSelector('body[data-ready="login"]');
    await target.fill('#api-key', key);
    await target.click('form[data-testid="login"] button[type="submit"]');
    await target.waitForSelector('body[data-ready="overview"]');
  };
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${p.url()}: ${m.text()}`);
    });
    p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
    p.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/')) apiCalls.push(r.url());
    });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await openStack({});
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    const dataset: Envelope[] = [...generateDataset(DEMO)];
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
      viewport: WIDE,
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
    watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in with a key exchanged for an HttpOnly cookie; a signed-out visit logs nothing', async () => {
    await page.goto(stack.address + '/');
    await ready('login');
    // The sign-in page has its language switch too.
    await page.click('button[data-testid="lang"]');
    expect(await page.innerText('h2')).toBe('Log in');
    await page.click('button[data-testid="lang"]');
    expect(await page.innerText('h2')).toBe('Đăng nhập');
    expect(consoleErrors).toEqual([]);
    const icon = await fetch(`${stack.address}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');

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
    expect(await page.innerText('[data-testid="role"]')).toBe('Vai trò: Người xem báo cáo');
  });

  it("opens on a scorecard whose 2025 verdicts and shortfalls are the CLI's, in at most 3 API requests", async () => {
    // The CLI on the same files, as a reader would run it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'services/cli/src/main.ts',
        'indicators',
        '--as-of',
        '2025-12-31',
        '--format',
        'json',
        '--data-dir',
        stack.dir,
      ],
      { cwd: REPO, timeout: 30_000 },
    );
    const cli = JSON.parse(stdout) as CliFigure[];
    expect(cli).toHaveLength(6);

    // A fresh load of a shared overview URL: count the API requests and time the first paint.
    apiCalls.length = 0;
    await page.goto(`${stack.address}/#/overview?asOf=${AS_OF}`);
    await page.reload();
    await ready('overview');
    const paint = await page.evaluate(
      () => performance.getEntriesByName('nhagiao:figures')[0]?.startTime ?? -1,
    );
    writeFileSync(
      path.join(ARTIFACTS, 'first-paint.txt'),
      `first meaningful paint (scorecard drawn), demo of ${DEMO.teachers} teachers: ${paint.toFixed(0)} ms\n`,
    );
    process.stdout.write(`dashboard first meaningful paint: ${paint.toFixed(0)} ms\n`);
    expect(paint).toBeGreaterThan(0);
    expect(apiCalls.length).toBeLessThanOrEqual(3);

    const rows = await page.$$eval('table[data-testid="scorecard"] tbody tr', (trs) =>
      trs.map((tr) => {
        const cell = tr.querySelector('[data-testid="target-2025"]');
        return {
          indicator: tr.getAttribute('data-indicator'),
          judged: cell?.getAttribute('data-judged'),
          verdict: cell?.getAttribute('data-verdict'),
          short: Number(cell?.querySelector('[data-short]')?.getAttribute('data-short') ?? 0),
          text: cell?.textContent ?? '',
        };
      }),
    );
    expect(rows.map((r) => r.indicator)).toEqual(cli.map((f) => f.indicator));
    for (const f of cli) {
      const row = rows.find((r) => r.indicator === f.indicator);
      const target = f.targets['2025'] as number;
      expect(row?.judged).toBe('true');
      expect(row?.verdict).toBe(f.meetsTarget['2025'] ? 'met' : 'missed');
      expect(row?.short).toBe(shortOf(f.numerator, f.denominator, target));
      // Read as a result: the figure of 31/12/2025 against the target, no forecast.
      expect(row?.text).toContain(
        `${formatPercent(f.value, 'vi')} / ${formatPercent(target, 'vi')}`,
      );
      expect(row?.text).not.toContain('dự báo');
    }
    // The demo missed every 2025 target, and the page says so first.
    expect(cli.every((f) => f.meetsTarget['2025'] === false)).toBe(true);
    expect(await page.innerText('[data-testid="summary"]')).toContain('đạt 0/6 chỉ tiêu');
    // The 2030 column is an outlook, not a verdict.
    const outlooks = await page.$$eval('[data-testid="target-2030"]', (cells) =>
      cells.map((c) => c.getAttribute('data-verdict')),
    );
    expect(outlooks.length).toBe(5);
    for (const o of outlooks) expect(['on-track', 'at-risk', 'off-track']).toContain(o);

    // The cards under it show the same figures as GET /v1/indicators.
    const now = await api<{ figures: Figure[] }>(`/v1/indicators?asOf=${AS_OF}`);
    expect(await readCards()).toEqual(expectedCards(now.figures));
    // Each chart names its target lines in a legend, with text of at least 11 px.
    const chartText = await page.$$eval('article.card svg text', (els) =>
      Math.min(...els.map((e) => (e as SVGTextElement).getBoundingClientRect().height)),
    );
    expect(chartText).toBeGreaterThanOrEqual(11);
    expect(await page.innerText('article[data-indicator="master-or-above"] .legend')).toContain(
      'Mục tiêu 2025: 43,0',
    );
    await shot('overview');
    // The first screen as a Sở official sees it, for the README.
    await page.screenshot({ path: path.join(ARTIFACTS, 'first-screen-1440-vi.png') });
    const phone = await context.newPage();
    watch(phone);
    await phone.setViewportSize(PHONE);
    await phone.goto(`${stack.address}/#/overview?asOf=${AS_OF}`);
    await phone.waitForSelector('body[data-ready="overview"]');
    // On a phone the scorecard comes first: the "known at" controls stay folded.
    expect(await phone.locator('#known-at').isVisible()).toBe(false);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'first-screen-390-vi.png') });
    await phone.close();
  });

  it('follows "as of" through the URL, as the API does', async () => {
    const before = await api<{ figures: Figure[] }>('/v1/indicators?asOf=2024-06-30');
    await page.fill('#as-of', '2024-06-30');
    await page.dispatchEvent('#as-of', 'change');
    await eventually(readCards, expectedCards(before.figures));
    expect(page.url()).toContain('asOf=2024-06-30');
    expect(await page.innerText('[data-testid="as-of-text"]')).toBe('30/06/2024');
    // Before the judging date nothing is judged: 2025 is an outlook then.
    expect(
      await page.getAttribute(
        'tr[data-indicator="master-or-above"] [data-testid="target-2025"]',
        'data-judged',
      ),
    ).toBe('false');
  });

  it('shows the published figures as known at a time, marks the corrections, and never fails before the first event', async () => {
    await page.goto(`${stack.address}/#/overview?asOf=2025-12-31`);
    await ready('overview');
    const known = await api<{ figures: Figure[] }>(
      `/v1/indicators?asOf=2025-12-31&knownAt=${encodeURIComponent(publishedAt)}`,
    );
    const current = await api<{ figures: Figure[] }>('/v1/indicators?asOf=2025-12-31');
    const master = (rows: Figure[]) =>
      rows.find((f) => f.indicator === 'master-or-above') as Figure;
    expect(master(current.figures).numerator).toBe(master(known.figures).numerator + 6);

    // The toggle's default is now: it shows the figures known now, without an error.
    await page.check('#known-at-toggle');
    await ready('overview');
    await eventually(readCards, expectedCards(current.figures));
    expect(await page.locator('[data-testid="page-error"]').count()).toBe(0);

    const local = new Date(Date.parse(publishedAt) + 7 * 3600_000).toISOString().slice(0, 19);
    await page.fill('#known-at', local);
    await page.dispatchEvent('#known-at', 'change');
    await eventually(readCards, expectedCards(known.figures));
    expect(decodeURIComponent(page.url())).toContain(`knownAt=${local}+07:00`);
    const card = page.locator(
      'article[data-indicator="master-or-above"] [data-testid="correction"]',
    );
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('changed');
    expect(await card.locator('[data-testid="corrected-value"]').innerText()).toBe(
      formatPercent(master(current.figures).value, 'vi'),
    );
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

    // Known at a time before anything was recorded: zeros and a note in the page's language.
    await page.fill('#known-at', '2001-01-01T00:00:00');
    await page.dispatchEvent('#known-at', 'change');
    await page.waitForSelector('text=Chưa có sự kiện nào được ghi nhận');
    expect(await page.locator('[data-testid="page-error"]').count()).toBe(0);
    await page.uncheck('#known-at-toggle');
    await eventually(readCards, expectedCards(current.figures));
    expect(page.url()).not.toContain('knownAt');
  });

  it("says an error in the page's language above the page, and keeps the page", async () => {
    await page.goto(`${stack.address}/#/figure?code=no-such-indicator&scope=province`);
    await ready('figure');
    const error = page.locator('[data-testid="page-error"]');
    expect(await error.innerText()).toContain('Không tìm thấy');
    expect(await error.innerText()).not.toMatch(/not an indicator|no route/);
    expect(await page.locator('nav').isVisible()).toBe(true);
    // The 404 the browser logged for that request is the one expected error of this run.
    consoleErrors.splice(
      0,
      consoleErrors.length,
      ...consoleErrors.filter((e) => !e.includes('404')),
    );
  });

  it('lists units against their targets, sorts, filters by kind and exports CSV', async () => {
    await page.goto(`${stack.address}/#/units?asOf=2025-12-31`);
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
    const values = await page.$$eval(
      'tbody tr[data-unit]:not(.province-row) td[data-indicator="master-or-above"]',
      (cells) =>
        cells.map((c) =>
          Number((/([\d,]+)\s?%/.exec(c.textContent ?? '')?.[1] ?? '0').replace(',', '.')),
        ),
    );
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(
      await page.getAttribute('th:has(button[data-sort="master-or-above"])', 'aria-sort'),
    ).toBe('descending');

    await page.selectOption('#filter-kind', 'college');
    const kinds = await page.$$eval(
      'table[data-testid="matrix"] tbody tr[data-unit]:not(.province-row)',
      (rows) => rows.map((r) => r.querySelector('[data-testid="kind"]')?.textContent),
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
    // The province row heads the table; units show names, area names, counts and gaps.
    expect(await page.innerText('tr.province-row th')).toBe('Toàn tỉnh');
    await page.selectOption('#filter-kind', '');
    const area = await page.innerText('tr[data-unit="gdnn-cho-moi"] td:nth-of-type(2)');
    expect(area).toBe('Xã Chợ Mới (Thái Nguyên)');
    expect(await page.innerText('tr[data-unit="gdnn-pac-nam"]')).toContain(
      'Trung tâm GDNN-GDTX khu vực Ba Bể – Pác Nặm',
    );
    expect(lines[1]).toContain(`${college.numerator},${college.denominator}`);
    await page.selectOption('#filter-kind', '');
  });

  it('shows both forecast methods as a range that contains them, with the pipeline the API gives', async () => {
    await page.goto(`${stack.address}/#/forecast?asOf=${AS_OF}`);
    await ready('forecast');
    expect(await page.innerText('[data-testid="method"]')).toContain('12 tháng gần nhất');
    const method = await page.innerText('[data-testid="pipeline-method"]');
    // The assumed completion probabilities are stated, and said to be assumptions.
    expect(method).toContain('80,0\u00a0%');
    expect(method).toContain('90,0\u00a0%');
    expect(method).toContain('giả định');
    expect(await page.innerText('[data-testid="reconcile"]')).toContain('2 năm');
    // 2025 has passed: results, not forecasts.
    expect(await page.locator('table[data-testid="result-2025"] tbody tr').count()).toBe(6);
    expect(await page.locator('table[data-testid="forecast-2025"]').count()).toBe(0);

    const pipeline = await api<Pipeline>(`/v1/pipeline?asOf=${AS_OF}`, reporter);
    const figures = await api<{ figures: Figure[] }>(`/v1/indicators?asOf=${AS_OF}`);
    const rows = await page.$$eval('table[data-testid="forecast-2030"] tbody tr', (trs) =>
      trs.map((tr) => ({
        indicator: tr.getAttribute('data-indicator') ?? '',
        trend: tr.getAttribute('data-trend') ?? '',
        pipeline: tr.getAttribute('data-pipeline') ?? '',
        low: Number(tr.getAttribute('data-low')),
        high: Number(tr.getAttribute('data-high')),
      })),
    );
    expect(rows.length).toBe(5);
    for (const r of rows) {
      const trend = Number(r.trend);
      expect(r.trend).not.toBe('');
      expect(r.low).toBeLessThanOrEqual(trend + 1e-12);
      expect(r.high).toBeGreaterThanOrEqual(trend - 1e-12);
      if (r.pipeline === '') continue;
      const moved = Number(r.pipeline);
      expect(r.low).toBeLessThanOrEqual(moved + 1e-12);
      expect(r.high).toBeGreaterThanOrEqual(moved - 1e-12);
      // Method 2 recomputed here from the API's counts, as docs/forecast.md writes it.
      const f = figures.figures.find((x) => x.indicator === r.indicator) as Figure;
      const topic = r.indicator.replace(/^trained-/, '');
      const departing = pipeline.departures.filter((d) => d.month <= '2030-12');
      const leaving = departing.reduce((s, d) => s + d.teachers, 0);
      const added =
        r.indicator === 'master-or-above'
          ? 0.8 *
            pipeline.postgraduate
              .filter((p) => p.expectedYear !== null && p.expectedYear <= 2030)
              .reduce((s, p) => s + p.newToMasterOrAbove, 0)
          : 0.9 * (pipeline.enrolments.find((e) => e.topic === topic)?.notYetTrained ?? 0);
      const counted = departing.reduce(
        (s, d) =>
          s + (r.indicator === 'master-or-above' ? d.masterOrAbove : (d.trained[topic] ?? 0)),
        0,
      );
      expect(moved).toBeCloseTo((f.numerator + added - counted) / (f.denominator - leaving), 10);
    }
    expect(
      Number((await page.innerText('[data-testid="pipeline-population"]')).replace(/\./g, '')),
    ).toBe(pipeline.population);
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
    await page.goto(`${stack.address}/#/reports?year=2025&asOf=${AS_OF}`);
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
    // Missing after the due day: overdue by the days since 25/08/2025, as of 30/06/2026.
    expect(await row('gdnn-ba-be').locator('[data-testid="status"]').innerText()).toContain(
      'quá hạn 309 ngày',
    );
    const total = await page.locator('table[data-testid="reports"] > tbody > tr').count();
    expect(await page.innerText('[data-testid="reports-summary"]')).toContain(`1/${total} đã nộp`);
    // The figures submitted (1/2) beside the same recomputed from the log, flagged when they differ.
    const compare = row('cdbk').locator('[data-testid="compare"]');
    expect(await compare.getAttribute('data-differing')).toBe('1');
    await compare.locator('summary').click();
    expect(await compare.innerText()).toContain('không còn khớp');
    // A unit without a report downloads a draft, and says so.
    expect(await row('gdnn-ba-be').locator('a[data-testid="xlsx"]').innerText()).toContain(
      'dự thảo',
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

    // Printed as a person would: LibreOffice turns the workbook into a PDF, pages rendered to PNG.
    const work = mkdtempSync(path.join(tmpdir(), 'nhagiao-report-pdf-'));
    try {
      const xlsx = path.join(work, 'bao-cao-cdbk-2025.xlsx');
      writeFileSync(xlsx, bytes);
      const run = promisify(execFile);
      // The page's PDF (printed by the server) is fetched while LibreOffice converts the download here.
      const [, printedDownload] = await Promise.all([
        run(
          'soffice',
          [
            `-env:UserInstallation=file://${work}/profile`,
            '--headless',
            '--convert-to',
            'pdf',
            '--outdir',
            work,
            xlsx,
          ],
          { timeout: 90_000 },
        ),
        (async () => {
          const [d] = await Promise.all([
            page.waitForEvent('download', { timeout: 90_000 }),
            row('cdbk').locator('a[data-testid="pdf"]').click(),
          ]);
          await d.path();
          return d;
        })(),
      ]);
      const pdf = path.join(work, 'bao-cao-cdbk-2025.pdf');
      copyFileSync(pdf, path.join(ARTIFACTS, 'bao-cao-cdbk-2025.pdf'));
      await run('pdftoppm', [
        '-r',
        '60',
        '-png',
        pdf,
        path.join(ARTIFACTS, 'bao-cao-cdbk-2025-trang'),
      ]);
      const pages = readdirSync(ARTIFACTS).filter((f) => f.startsWith('bao-cao-cdbk-2025-trang'));
      const info = (await run('pdfinfo', [pdf])).stdout;
      const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      expect(info).toMatch(/Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)/);
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(3);
      expect(pages).toHaveLength(count);
      const printed = (await run('pdftotext', ['-layout', pdf, '-'])).stdout;
      expect(printed).toContain('TRƯỜNG CAO ĐẲNG BẮC KẠN');
      expect(printed).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
      expect(printed).toContain('Độc lập - Tự do - Hạnh phúc');
      expect(printed).toContain('THỦ TRƯỞNG ĐƠN VỊ');
      // Percentages as the Sở writes them, never raw decimals; the college's own figures on it.
      const byUnit = await api<{ figures: (Figure & { scope: string })[] }>(
        '/v1/indicators?asOf=2025-06-30&by=unit',
      );
      for (const f of byUnit.figures.filter((x) => x.scope === 'unit:cdbk' && x.value !== null)) {
        expect(printed).toContain(formatPercent(f.value, 'vi').replace('\u00a0', ' '));
      }
      expect(printed).not.toMatch(/0\.\d{5,}/);
      // The same report offered as PDF from the page.
      expect(printedDownload.suggestedFilename()).toBe('bao-cao-cdbk-2025.pdf');
      const offered = (await printedDownload.path()) as string;
      expect(readFileSync(offered).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const offeredPages = Number(
        /Pages:\s+(\d+)/.exec((await run('pdfinfo', [offered])).stdout)?.[1],
      );
      expect(offeredPages).toBe(count);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }

    // A year whose due day is still ahead: nobody is late yet.
    await page.goto(`${stack.address}/#/reports?year=2026&asOf=2026-06-30`);
    await ready('reports');
    const shownStates = await page.$$eval('table[data-testid="reports"] > tbody > tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-shown')),
    );
    expect(new Set(shownStates)).toEqual(new Set(['not-due']));
    expect(await row('cdbk').locator('[data-testid="status"]').innerText()).toContain(
      'Chưa đến hạn',
    );
  }, 180_000);

  it('gives a reporter the figure without the teachers behind it, and the back link returns', async () => {
    await page.goto(`${stack.address}/#/units?asOf=2025-12-31`);
    await ready('units');
    await page.click('tr[data-unit="cdbk"] td[data-indicator="master-or-above"] a');
    await ready('figure');
    const expected = await api<Figure>(
      '/v1/indicators/master-or-above/explain?asOf=2025-12-31&scope=unit:cdbk',
      reporter,
    );
    expect(Number(await page.innerText('[data-testid="explain"] [data-testid="numerator"]'))).toBe(
      expected.numerator,
    );
    expect(await page.locator('[data-testid="teachers"]').count()).toBe(0);
    await shot('figure-reporter');
    await page.click('a[data-testid="back"]');
    await ready('units');
    // A unit's page says who lacks what in aggregate, never who.
    await page.click('tr[data-unit="cdbk"] th a');
    await ready('unit');
    const reasons = await page.innerText('[data-testid="reasons"]');
    expect(reasons).toMatch(/\d+ nhà giáo chưa có bằng thạc sĩ trở lên/);
    expect(reasons).not.toMatch(/cdbk-\d/);
    expect(await page.locator('details.names').count()).toBe(0);
    await shot('unit-reporter');
    // Across every page the reporter saw, not one teacher's name.
    const seen = texts.join('\n');
    expect(names.length).toBe(DEMO.teachers);
    expect(names.filter((n) => seen.includes(n))).toEqual([]);
  });

  it('takes an auditor from a figure to the teachers behind it and to the events that moved it', async () => {
    await page.click('button[data-testid="logout"]');
    await ready('login');
    expect(await context.cookies()).toEqual([]);
    await login(auditor);
    await page.goto(
      `${stack.address}/#/figure?code=master-or-above&scope=province&asOf=2025-12-31`,
    );
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
    // The event reads in Vietnamese; the raw record is folded under it.
    expect(await event.innerText()).toContain('Cấp văn bằng');
    expect(await event.locator('pre').isVisible()).toBe(false);
    // It opens right under its row, not at the foot of a long page.
    expect(
      await page
        .locator(`tr:has(button[data-event="${newest?.eventId}"]) + tr.event-row .event`)
        .count(),
    ).toBe(1);
    await shot('figure-auditor-event');

    // A unit's page names who lacks what, for an auditor.
    await page.goto(`${stack.address}/#/unit?id=cdbk&asOf=2025-12-31`);
    await ready('unit');
    const names0 = page.locator('li[data-indicator="master-or-above"] details.names');
    await names0.locator('summary').click();
    const link = names0.locator('a').first();
    const listed = await link.innerText();
    expect(names).toContain(listed);
    await link.click();
    await ready('teacher');
    expect(await page.innerText('h1')).toContain(listed);
    const types = await page.$$eval('[data-testid="timeline"] .event strong', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(types).toContain('Tuyển dụng');
    expect(types.filter((x) => /^[A-Z][a-z]+[A-Z]/.test(x))).toEqual([]);
    await shot('teacher-auditor');
    await page.click('a[data-testid="back"]');
    await ready('unit');
  });

  it('reaches every page from a shared URL, without horizontal overflow, at 1440 and 390 px, in Vietnamese and English', async () => {
    const pages: [string, string][] = [
      ['overview', `/#/overview?asOf=${AS_OF}`],
      ['units', `/#/units?asOf=${AS_OF}`],
      ['unit', `/#/unit?id=cdbk&asOf=${AS_OF}`],
      ['figure', `/#/figure?code=trained-digital-materials&scope=province&asOf=${AS_OF}`],
      ['forecast', `/#/forecast?asOf=${AS_OF}`],
      ['reports', `/#/reports?year=2025&asOf=${AS_OF}`],
    ];
    // A reader who was sent the link: a new browser context, signed in once.
    const shared = await browser.newContext({ viewport: WIDE, locale: 'vi-VN' });
    const reader = await shared.newPage();
    watch(reader);
    await login(reporter, reader);
    const measured: string[] = [];
    for (const lang of ['vi', 'en'] as const) {
      for (const viewport of [WIDE, PHONE]) {
        await reader.setViewportSize(viewport);
        for (const [name, url] of pages) {
          await reader.goto(`${stack.address}${url}${lang === 'en' ? '&lang=en' : ''}`);
          await reader.waitForSelector(`body[data-ready="${name}"]`);
          expect(await reader.getAttribute('html', 'lang')).toBe(lang);
          expect(await reader.inputValue('#as-of')).toBe(AS_OF);
          const over = await reader.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          measured.push(`${name} ${viewport.width} ${lang}: ${over}`);
          expect(`${name} ${viewport.width} ${lang}: ${Math.max(0, over)}`).toBe(
            `${name} ${viewport.width} ${lang}: 0`,
          );
          // Full-page screenshots cost seconds each: every page on the phone in Vietnamese, a few more.
          const wide = name === 'overview' || name === 'forecast';
          if (lang === 'vi' ? viewport === PHONE || wide : viewport === PHONE && wide) {
            await reader.screenshot({
              path: path.join(ARTIFACTS, `${name}-${viewport.width}-${lang}.png`),
              fullPage: true,
            });
          }
        }
      }
    }
    // Tap targets on the phone: every link and button at least 24 px high (inline links in prose aside).
    await reader.setViewportSize(PHONE);
    await reader.goto(`${stack.address}/#/overview?asOf=${AS_OF}`);
    await reader.waitForSelector('body[data-ready="overview"]');
    const small = await reader.$$eval('button, nav a, td a, th a, input, select, summary', (els) =>
      els
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && r.height < 24;
        })
        .map((e) => `${e.tagName} ${e.textContent?.slice(0, 30)}`),
    );
    expect(small).toEqual([]);
    // The charts stay readable on the phone: no text under 11 px.
    const chartText = await reader.$$eval('article.card svg text', (els) =>
      Math.min(...els.map((e) => (e as SVGTextElement).getBoundingClientRect().height)),
    );
    expect(chartText).toBeGreaterThanOrEqual(11);
    await reader.emulateMedia({ media: 'print' });
    await reader.setViewportSize(WIDE);
    await reader.pdf({ path: path.join(ARTIFACTS, 'overview-a4.pdf'), format: 'A4' });
    await shared.close();
    expect(await overflow()).toBeLessThanOrEqual(0);
  });

  it('logged no console error and requested nothing off this machine', () => {
    expect(consoleErrors).toEqual([]);
    expect(offHost).toEqual([]);
  });
});
