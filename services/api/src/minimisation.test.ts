import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { generateDataset } from '@nhagiao/dataset';
import { readXlsxSheets } from '@nhagiao/reports';
import { SHEET_KINDS } from '@nhagiao/sheets';
import { type Stack, openStack } from './test-support/stack.js';

const FORMULA = "=cmd|' /C calc'!A0";

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
}

/**
 * Every GET route of the OpenAPI document, asked by a reporter key with every
 * value its parameters take here, in every format; each answer is scanned for
 * the teachers' ids, names and birth dates of the dataset it serves.
 */
describe('a reporter never receives teachers’ ids, names or birth dates', () => {
  let stack: Stack;
  let base: string;
  let admin: string;
  let reporter: string;
  const teacherIds = new Set<string>();
  const names = new Set<string>();
  const units = new Set<string>();
  let studyTeacher = '';

  const fetchAs = async (secret: string, url: string, accept?: string) => {
    const res = await fetch(base + url, {
      headers: { authorization: `Bearer ${secret}`, ...(accept ? { accept } : {}) },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const text = type.includes('spreadsheetml')
      ? JSON.stringify([...(await readXlsxSheets(bytes)).entries()])
      : type.includes('application/pdf')
        ? execFileSync('pdftotext', ['-', '-'], { input: bytes }).toString('utf8')
        : bytes.toString('utf8');
    return { res, text };
  };

  beforeAll(async () => {
    stack = await openStack();
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    const events: unknown[] = [];
    for (const e of generateDataset({ teachers: 40 })) {
      events.push(e);
      if (e.type === 'TeacherRegistered') {
        teacherIds.add(e.data.teacherId);
        names.add(e.data.fullName);
      }
      if (e.type === 'UnitRegistered') units.add(e.data.unitId);
      if (e.type === 'PostgraduateStudyStarted' && studyTeacher === '')
        studyTeacher = e.data.teacherId;
    }
    // Text an integrator sends that a spreadsheet would run as a formula.
    events.push({
      id: randomUUID(),
      type: 'PostgraduateStudyStarted',
      data: {
        teacherId: studyTeacher,
        level: 'doctorate',
        institution: FORMULA,
        startedOn: '2024-09-01',
        expectedOn: '2028-09-01',
      },
    });
    const res = await fetch(`${base}/v1/events?partial=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { appended: number }).appended).toBeGreaterThan(400);
  });
  afterAll(() => stack.close());

  const studyUnit = (): string => [...units].find((u) => studyTeacher.startsWith(`${u}-`)) ?? '';

  /** Every concrete URL of the document's GET routes, parameters filled with what this stack holds. */
  const urls = async (): Promise<string[]> => {
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as OpenApi;
    const out: string[] = [];
    const values: Record<string, readonly string[]> = {
      year: ['2025'],
      format: ['json', 'csv', 'xlsx'],
      code: stack.plan.indicators.map((i) => i.code),
      id: [studyTeacher],
      planId: [stack.plan.code],
      kind: ['all', ...SHEET_KINDS],
      // The log's tile paths (C2SP tlog-tiles): a hash tile and an entry bundle.
      '*': ['0/000', '000'],
    };
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (methods.get === undefined) continue;
      // A PDF is printed by LibreOffice (seconds each): the unit whose teacher is studying stands for all.
      const unitIds = template.endsWith('.pdf') ? [studyUnit()] : [...units];
      let expanded = [template];
      for (const [name, options] of Object.entries(values)) {
        expanded = expanded.flatMap((u) =>
          u.includes(`{${name}}`) ? options.map((v) => u.replace(`{${name}}`, v)) : [u],
        );
      }
      expanded = expanded.flatMap((u) =>
        u.includes('{unitId}') ? unitIds.map((v) => u.replace('{unitId}', v)) : [u],
      );
      for (const u of expanded) {
        expect(u).not.toMatch(/\{/);
        const scopes = ['province', ...[...units].slice(0, 3).map((unit) => `unit:${unit}`)];
        if (u.includes('/explain') || u.includes('/history') || u.startsWith('/v1/pipeline')) {
          for (const scope of scopes) out.push(`${u}?asOf=2025-06-30&scope=${scope}`);
        } else if (u === '/v1/indicators') {
          for (const by of ['province', 'unit', 'area', 'kind']) out.push(`${u}?by=${by}`);
        } else if (u === '/v1/reports') out.push(`${u}?year=2025`);
        else if (u === '/v1/dashboard/unit') out.push(`${u}?unitId=${studyUnit()}&asOf=2025-06-30`);
        else out.push(u);
      }
    }
    return out;
  };

  it('in every route and format, reports included', async () => {
    const all = await urls();
    const answered: string[] = [];
    for (const url of all) {
      for (const accept of [undefined, 'text/csv']) {
        const { res, text } = await fetchAs(reporter, url, accept);
        expect({ url, status: res.status }).not.toEqual({ url, status: 500 });
        if (res.status === 200) answered.push(`${url} ${accept ?? ''}`);
        const leaked = [...teacherIds, ...names].filter((s) => text.includes(s));
        expect({ url, accept, leaked }).toEqual({ url, accept, leaked: [] });
        expect({ url, birthDate: text.includes('birthDate') }).toEqual({ url, birthDate: false });
        // Personal data or not, no answer to a key is kept in a cache or sniffed as another type.
        // The log's public routes (hashes, the signed checkpoint, proofs) are for anyone, caches included.
        const isPublic = /^\/v1\/log\/(checkpoint|key|proof\/|tile\/(?!entries))/.test(url);
        if (!isPublic) {
          expect({ url, cache: res.headers.get('cache-control') }).toEqual({
            url,
            cache: 'no-store',
          });
        }
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
    }
    // The scan covered the reports in the three formats of every unit, and the figures.
    for (const format of ['json', 'csv', 'xlsx']) {
      expect(answered.filter((a) => a.includes(`/2025.${format}`)).length).toBe(2 * units.size);
    }
    expect(answered).toEqual(expect.arrayContaining(['/v1/indicators?by=unit text/csv']));
    expect(answered.some((a) => a.startsWith('/v1/pipeline'))).toBe(true);
    expect(answered.some((a) => a.startsWith('/v1/dashboard/unit?'))).toBe(true);
    expect(answered.some((a) => a.endsWith('.pdf '))).toBe(true);
  }, 180_000);

  it('while an admin reading the same report gets them (the scan would see a leak)', async () => {
    const unit = [...units].find((u) => studyTeacher.startsWith(`${u}-`)) ?? '';
    const { text } = await fetchAs(admin, `/v1/reports/${unit}/2025.json`);
    expect(text).toContain(studyTeacher);
    expect([...names].some((n) => text.includes(n))).toBe(true);
    const forReporter = JSON.parse(
      (await fetchAs(reporter, `/v1/reports/${unit}/2025.json`)).text,
    ) as {
      postgraduate: { teacherId: string | null; fullName: string | null; institution: string }[];
    };
    expect(forReporter.postgraduate.length).toBeGreaterThan(0);
    for (const p of forReporter.postgraduate) {
      expect(p).toEqual(expect.objectContaining({ teacherId: null, fullName: null }));
    }
  });

  it('text that would run as a formula is neutralised in the CSV and XLSX reports', async () => {
    const unit = [...units].find((u) => studyTeacher.startsWith(`${u}-`)) ?? '';
    for (const secret of [admin, reporter]) {
      const csv = (await fetchAs(secret, `/v1/reports/${unit}/2025.csv`)).text;
      expect(csv).toContain(`'${FORMULA}`);
      const cells = csv.split(/\r\n/).flatMap((l) => l.split(','));
      expect(cells.filter((c) => /^"?[=+\-@\t\r]/.test(c))).toEqual([]);
      const res = await fetch(`${base}/v1/reports/${unit}/2025.xlsx`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      const sheets = await readXlsxSheets(Buffer.from(await res.arrayBuffer()));
      const texts = [...sheets.values()].flat(2).filter((v): v is string => typeof v === 'string');
      expect(texts).toContain(`'${FORMULA}`);
      expect(texts.filter((t) => /^[=+\-@\t\r]/.test(t))).toEqual([]);
      // No cell holds a formula either.
      expect(
        [...sheets.values()].flat(2).filter((v) => typeof v === 'object' && v !== null),
      ).toEqual([]);
    }
  });
});
