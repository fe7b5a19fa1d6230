/**
 * Spreadsheet import at the size of a province's records (issue: 30,000
 * teachers), beside its baseline measured in the same run on the same events:
 *
 *   import of an XLSX workbook (8 sheets)   vs   import of the same events as NDJSON
 *   import of the same records as CSV files vs   the same NDJSON
 *
 * The NDJSON baseline is made from the spreadsheet's own plan, so both imports
 * append exactly the same envelopes (same ids) into fresh SQLite stores. The
 * spreadsheet import's time includes reading the workbook, checking every cell,
 * reading the stores' streams to compare rows with them, and the ingest.
 *
 * Usage: npx tsx packages/sheets/bench/sheets.bench.ts [teachers=30000]
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor, ndjsonItems } from '@nhagiao/ingest';
import { importSpreadsheet, planImport, readSheets, readSpreadsheet } from '@nhagiao/sheets';

const teachers = Number(process.argv[2] ?? 30_000);
const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-sheets-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A deterministic generator (mulberry32), so every run imports the same province. */
let seed = 423;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const day = (from: number, to: number): Date =>
  new Date(Date.UTC(from, 0, 1) + Math.floor(random() * (to - from) * 365) * 86400000);

const SURNAMES = ['Nguyễn', 'Trần', 'Hoàng', 'Nông', 'Lý', 'Triệu', 'Hà', 'Lường', 'Đinh', 'Ma'];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Ngọc', 'Minh', 'Thu'];
const GIVEN = [
  'An',
  'Bình',
  'Cúc',
  'Dũng',
  'Hồng',
  'Khánh',
  'Lan',
  'Mai',
  'Nam',
  'Thảo',
  'Tú',
  'Yến',
];
const UNITS = 40;
const PROGRAMMES = 60;
const TOPICS = [
  'Chuyển đổi số và ứng dụng công nghệ thông tin',
  'Kiểm định chất lượng giáo dục nghề nghiệp',
  'Xây dựng và sử dụng học liệu, bài giảng số',
  'Phát triển chương trình đào tạo theo chuẩn đầu ra',
  'Nghiệp vụ sư phạm',
];

type Row = (string | number | Date | null)[];
const sheets: { name: string; headers: string[]; rows: Row[] }[] = [
  {
    name: 'Đơn vị',
    headers: ['Mã đơn vị', 'Tên đơn vị', 'Loại hình', 'Mã địa bàn', 'Ngày đăng ký'],
    rows: [],
  },
  {
    name: 'Chương trình',
    headers: ['Mã chương trình', 'Tên chương trình', 'Đơn vị tổ chức', 'Chủ đề', 'Số giờ'],
    rows: [],
  },
  {
    name: 'Nhà giáo',
    headers: [
      'Mã nhà giáo',
      'Họ và tên',
      'Ngày sinh',
      'Giới tính',
      'Mã đơn vị',
      'Loại nhà giáo',
      'Ngày tuyển dụng',
      'Trình độ giảng dạy',
      'Dạy lý thuyết/thực hành',
    ],
    rows: [],
  },
  {
    name: 'Văn bằng',
    headers: [
      'Mã nhà giáo',
      'Mã văn bằng',
      'Trình độ',
      'Ngành',
      'Cơ sở đào tạo',
      'Ngày cấp',
      'Sư phạm',
    ],
    rows: [],
  },
  {
    name: 'Chứng chỉ',
    headers: ['Mã nhà giáo', 'Mã chứng chỉ', 'Loại chứng chỉ', 'Bậc', 'Ngày cấp'],
    rows: [],
  },
  {
    name: 'Học viên',
    headers: ['Mã nhà giáo', 'Mã chương trình', 'Ngày ghi danh', 'Ngày hoàn thành', 'Kết quả'],
    rows: [],
  },
];
const [units, programmes, people, degrees, certificates, enrolments] = sheets.map(
  (s) => s.rows,
) as Row[][];
for (let u = 0; u < UNITS; u++) {
  units!.push([
    `u${u}`,
    `Trung tâm GDNN-GDTX số ${u}`,
    u === 0 ? 'Trường cao đẳng' : 'Trung tâm GDNN-GDTX',
    `db-${u % 8}`,
    day(2005, 2010),
  ]);
}
for (let p = 0; p < PROGRAMMES; p++) {
  programmes!.push([
    `ct-${p}`,
    `Bồi dưỡng ${p}`,
    'Sở GDĐT',
    `${pick(TOPICS)}; ${pick(TOPICS)}`,
    40,
  ]);
}
for (let t = 0; t < teachers; t++) {
  const id = `gv-${t}`;
  // Names as a Mac keyboard types them: NFD, to be stored NFC.
  const name = `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`.normalize('NFD');
  const hired = day(2010, 2023);
  people!.push([
    id,
    name,
    day(1970, 1995),
    pick(['Nữ', 'Nam']),
    `u${t % UNITS}`,
    random() < 0.9 ? 'Cơ hữu' : 'Thỉnh giảng',
    hired,
    pick(['Cao đẳng', 'Trung cấp', 'Sơ cấp', 'Cao đẳng, Trung cấp']),
    pick(['Lý thuyết', 'Thực hành', 'Tích hợp']),
  ]);
  degrees!.push([
    id,
    `${id}-dh`,
    'Đại học',
    'Kỹ thuật',
    'ĐH Thái Nguyên',
    day(2000, 2010),
    random() < 0.3 ? 'có' : 'không',
  ]);
  if (random() < 0.4)
    degrees!.push([
      id,
      `${id}-ths`,
      'Thạc sĩ',
      'Kỹ thuật',
      'ĐH Thái Nguyên',
      day(2012, 2025),
      'không',
    ]);
  certificates!.push([
    id,
    `${id}-nvsp`,
    'Nghiệp vụ sư phạm giáo dục nghề nghiệp',
    null,
    day(2010, 2020),
  ]);
  const courses = 1 + Math.floor(random() * 2);
  for (let c = 0; c < courses; c++) {
    const enrolled = day(2024, 2025);
    enrolments!.push([
      id,
      `ct-${(t + c * 7) % PROGRAMMES}`,
      enrolled,
      new Date(enrolled.getTime() + 30 * 86400000),
      'Đạt',
    ]);
  }
}

const dd = (d: Date): string =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
const csvField = (v: Row[number]): string => {
  const s = v === null ? '' : v instanceof Date ? dd(v) : String(v);
  return /[";\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const main = async (): Promise<void> => {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow(s.headers);
    for (const r of s.rows) ws.addRow(r);
    s.headers.forEach((h, i) => {
      if (h.startsWith('Ngày')) ws.getColumn(i + 1).numFmt = 'dd/mm/yyyy';
    });
  }
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  const csvFiles = sheets.map((s) => ({
    name: `${s.name}.csv`,
    bytes: Buffer.from(
      `\uFEFF${[s.headers.join(';'), ...s.rows.map((r) => r.map(csvField).join(';'))].join('\r\n')}\r\n`,
    ),
  }));
  if (process.env.KEEP_BENCH_DIR) {
    writeFileSync(path.join(dir, 'bench.xlsx'), xlsx);
    for (const f of csvFiles) writeFileSync(path.join(dir, f.name), f.bytes);
  }
  const rowsTotal = sheets.reduce((n, s) => n + s.rows.length, 0);

  // The baseline's events: the spreadsheet's own plan against an empty store.
  const read = readSheets(await readSpreadsheet(xlsx, 'bench.xlsx'));
  if (read.problems.length > 0)
    throw new Error(
      read.problems
        .slice(0, 5)
        .map((p) => `${p.where}: ${p.message}`)
        .join('\n'),
    );
  const plan = await planImport(read.rows, async function* () {}, 'bench.xlsx');
  const ndjsonFile = path.join(dir, 'same-events.ndjson');
  writeFileSync(ndjsonFile, plan.items.map((i) => JSON.stringify(i.value)).join('\n') + '\n');
  const events = plan.items.length;
  process.stdout.write(
    `${fmt(teachers)} teachers: ${fmt(rowsTotal)} rows in ${sheets.length} sheets (XLSX ${(xlsx.length / 1e6).toFixed(1)} MB), ${fmt(events)} events\n`,
  );

  const fresh = (name: string) => {
    const store = openSqliteEventStore(path.join(dir, `${name}.sqlite`));
    return { store, ingestor: createIngestor({ store }) };
  };
  const timeNdjson = async (name: string): Promise<number> => {
    const { store, ingestor } = fresh(name);
    const rejections: string[] = [];
    const started = performance.now();
    const report = await ingestor.ingest(ndjsonItems(createReadStream(ndjsonFile)), {
      source: 'bench',
      keepOutcomes: false,
      onOutcome: (o) => {
        if (o.status === 'rejected' && rejections.length < 5)
          rejections.push(`${o.line}: ${o.message}`);
      },
    });
    const ms = performance.now() - started;
    if (report.appended !== events)
      throw new Error(`NDJSON appended ${report.appended} of ${events}: ${rejections.join('; ')}`);
    ingestor.close();
    await store.close();
    return ms;
  };
  const timeSheets = async (
    name: string,
    files: readonly { name: string; bytes: Buffer }[],
  ): Promise<number> => {
    const { store, ingestor } = fresh(name);
    const started = performance.now();
    const report = await importSpreadsheet({
      readStream: (s) => store.readStream(s),
      ingestor,
      files,
    });
    const ms = performance.now() - started;
    if (report.problems.length > 0) throw new Error(report.problems.slice(0, 5).join('\n'));
    if (report.appended !== events)
      throw new Error(`${name} appended ${report.appended} of ${events}`);
    ingestor.close();
    await store.close();
    return ms;
  };
  const line = (what: string, ms: number, baseMs: number) =>
    process.stdout.write(
      `${what.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${fmt(events / (ms / 1000)).padStart(7)} events/s  = ${((baseMs / ms) * 100).toFixed(0)} % of NDJSON (target ≥ 50 %)\n`,
    );
  // NDJSON first and last, so a machine slowing down or speeding up shows.
  const nd1 = await timeNdjson('ndjson-1');
  const x = await timeSheets('xlsx', [{ name: 'bench.xlsx', bytes: xlsx }]);
  const c = await timeSheets('csv', csvFiles);
  const nd2 = await timeNdjson('ndjson-2');
  const base = (nd1 + nd2) / 2;
  process.stdout.write(
    `${'NDJSON import (baseline), 2 runs'.padEnd(34)} ${(nd1 / 1000).toFixed(2)} s and ${(nd2 / 1000).toFixed(2)} s  ${fmt(events / (base / 1000))} events/s\n`,
  );
  line('XLSX import (one workbook)', x, base);
  line(`CSV import (${csvFiles.length} files at once)`, c, base);
};

main()
  .catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() =>
    process.env.KEEP_BENCH_DIR ? undefined : rmSync(dir, { recursive: true, force: true }),
  );
