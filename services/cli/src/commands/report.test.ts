import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readXlsxSheets } from '@nhagiao/reports';
import { cliSandbox } from '../test-support/run.js';

const s = cliSandbox();
beforeAll(async () => {
  expect((await s.run(['demo', '--teachers', '25'])).code).toBe(0);
}, 60_000);
afterAll(() => s.cleanup());

interface Figure {
  indicator: string;
  scope: string;
  numerator: number;
  denominator: number;
  value: number | null;
}

describe('nhagiao report annual', () => {
  it('writes an XLSX with Vietnamese headers whose figures equal `indicators --by unit`', async () => {
    const out = path.join(s.dir, 'cdbk-2025.xlsx');
    const r = await s.run(['report', 'annual', '--unit', 'cdbk', '--year', '2025', '--out', out]);
    expect(r.code).toBe(0);
    const sheets = await readXlsxSheets(readFileSync(out));
    expect([...sheets.keys()]).toEqual([
      'Báo cáo',
      'Phụ lục',
      'Chỉ tiêu',
      'Trình độ',
      'Loại hình',
      'Cấp trình độ giảng dạy',
      'Chuẩn nhà giáo',
      'Bồi dưỡng',
      'Đang học sau đại học',
      'Kinh phí',
      'Thông tin',
    ]);
    const [header, , ...rows] = sheets.get('Chỉ tiêu') ?? [];
    expect(header).toEqual([
      'Mã chỉ tiêu',
      'Chỉ tiêu',
      'Tử số',
      'Mẫu số',
      'Tỷ lệ',
      'Mục tiêu 2025',
      'Mục tiêu 2030',
    ]);

    const figures = JSON.parse(
      (await s.run(['indicators', '--by', 'unit', '--as-of', '2025-06-30', '--format', 'json']))
        .stdout,
    ) as Figure[];
    const cdbk = figures.filter((f) => f.scope === 'unit:cdbk');
    expect(cdbk).toHaveLength(6);
    expect(rows.map((row) => [row[0], row[2], row[3]])).toEqual(
      cdbk.map((f) => [f.indicator, f.numerator, f.denominator]),
    );
    expect(cdbk.some((f) => f.numerator > 0)).toBe(true);

    const meta = new Map((sheets.get('Thông tin') ?? []).map((row) => [row[0], row[1]]));
    expect(meta.get('Số liệu tại ngày / as of')).toBe('2025-06-30');
    expect(meta.get('Đơn vị / unit')).toBe('cdbk — Trường Cao đẳng Bắc Kạn');
    expect(String(meta.get('Theo dữ liệu đến vị trí / known at position'))).toMatch(/^\d+$/);
  });

  it('JSON counts add up: every permanent teacher once by highest degree, standard judged for each at the college', async () => {
    const r = await s.run([
      'report',
      'annual',
      '--unit',
      'cdbk',
      '--year',
      '2025',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      asOf: string;
      indicators: { indicator: string; numerator: number; denominator: number }[];
      byDegree: { permanent: number }[];
      byEmployment: { permanent: number; visiting: number };
      standard: { meets: boolean; failures: unknown[] }[];
    };
    expect(report.asOf).toBe('2025-06-30');
    const population = report.indicators.find(
      (i) => i.indicator === 'master-or-above',
    )?.denominator;
    expect(report.byEmployment.permanent).toBe(population);
    expect(report.byDegree.reduce((n, d) => n + d.permanent, 0)).toBe(population);
    const qualified = report.indicators.find((i) => i.indicator === 'college-lecturers-qualified');
    expect(report.standard).toHaveLength(qualified?.denominator ?? -1);
    expect(report.standard.filter((t) => t.meets)).toHaveLength(qualified?.numerator ?? -1);
    expect(report.standard.filter((t) => !t.meets).every((t) => t.failures.length > 0)).toBe(true);
  });

  it('CSV carries the Vietnamese headers', async () => {
    const r = await s.run([
      'report',
      'annual',
      '--unit',
      'cdbk',
      '--year',
      '2025',
      '--format',
      'csv',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Mã chỉ tiêu,Chỉ tiêu,Tử số,Mẫu số,Tỷ lệ,Mục tiêu 2025,Mục tiêu 2030',
    );
  });

  it('refuses an unknown unit with exit 1', async () => {
    const r = await s.run(['report', 'annual', '--unit', 'nowhere', '--year', '2025']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nowhere is not registered');
  });
});

describe('nhagiao signing init and audit', () => {
  it('creates a 0600 private key, refuses to overwrite it, and proves events offline', async () => {
    const init = await s.run(['signing', 'init']);
    expect(init.code).toBe(0);
    const { statSync } = await import('node:fs');
    expect(statSync(path.join(s.dir, 'audit-signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(s.dir, 'audit-public.key'), 'utf8')).toBe(init.stdout);
    const again = await s.run(['signing', 'init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');

    expect((await s.run(['audit', 'checkpoint'])).code).toBe(0);
    const proof = await s.run(['audit', 'prove', '42']);
    expect(proof.code).toBe(0);
    const evidence = JSON.parse(proof.stdout) as {
      index: number;
      leaf: string;
      treeSize: number;
      rootHash: string;
      proof: string[];
      checkpoint: string;
    };
    // Offline: from the leaf text, the path and the signed checkpoint only.
    const audit = await import('@nhagiao/audit');
    const verdict = audit.verifyCheckpoint(evidence.checkpoint, init.stdout.trim());
    expect(verdict.ok).toBe(true);
    const root = verdict.ok ? verdict.checkpoint.rootHash : Buffer.alloc(0);
    expect(
      audit.verifyInclusion(
        audit.hashLeaf(Buffer.from(evidence.leaf)),
        evidence.index,
        evidence.treeSize,
        evidence.proof.map(audit.fromHex),
        root,
      ),
    ).toBe(true);
    expect(evidence.index).toBe(41);
  });

  it('audit trail sums to the figure and every row carries a verifying proof', async () => {
    const r = await s.run([
      'audit',
      'trail',
      'master-or-above',
      '--scope',
      'unit:cdbk',
      '--as-of',
      '2025-06-30',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const trail = JSON.parse(r.stdout) as {
      numerator: number;
      denominator: number;
      figure: { numerator: number; denominator: number };
      rows: { validFrom: string; inclusion: { verified: boolean } | null }[];
    };
    expect({ numerator: trail.numerator, denominator: trail.denominator }).toEqual(trail.figure);
    expect(trail.rows.length).toBeGreaterThan(0);
    expect(
      trail.rows.every((row) => row.validFrom <= '2025-06-30' && row.inclusion?.verified),
    ).toBe(true);
  });
});
