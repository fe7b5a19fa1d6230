import { writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { dataOptions } from '../config.js';
import { usageError } from '../errors.js';

const KINDS_HELP =
  'units (Đơn vị), teachers (Nhà giáo), degrees (Văn bằng), certificates (Chứng chỉ), programmes (Chương trình), enrolments (Học viên), transfers (Điều chuyển), leaves (Nghỉ việc), or all';

export const templateCommand: Command = {
  name: 'template',
  usage: 'template KIND [--format xlsx|csv] [--out FILE]',
  // The data options are accepted (and ignored) so a script can pass the same ones to every command.
  options: { ...dataOptions, format: { type: 'string' }, out: { type: 'string' } },
  help: `KIND: ${KINDS_HELP}.
The template has the Vietnamese headers with the English ones under them (the
import skips that row); an XLSX template formats the date columns dd/mm/yyyy
and adds a guide sheet (Hướng dẫn) saying what each column takes. Fill it in
and import it with \`nhagiao import FILE.xlsx\` (or FILE.csv).

  --format xlsx|csv   xlsx by default; csv is UTF-8 with BOM, separated by ,
  --out FILE          write to FILE instead of standard output`,
  async run(ctx) {
    const [kind, ...rest] = ctx.positionals;
    if (kind === undefined || rest.length > 0) throw usageError(`name one KIND: ${KINDS_HELP}`);
    const format = (ctx.values.format as string | undefined) ?? 'xlsx';
    if (format !== 'xlsx' && format !== 'csv') {
      throw usageError(`--format ${format} is not a format: use xlsx or csv`);
    }
    const { SHEET_KINDS, isSheetKind, templateCsv, templateXlsx } = await import('@nhagiao/sheets');
    if (kind !== 'all' && !isSheetKind(kind)) {
      throw usageError(`${kind} is not a kind of sheet: use one of ${KINDS_HELP}`);
    }
    if (kind === 'all' && format === 'csv') {
      throw usageError(
        'a CSV file holds one kind: name it (e.g. template teachers --format csv), or use --format xlsx for all',
      );
    }
    const bytes =
      format === 'csv'
        ? Buffer.from(templateCsv(kind as (typeof SHEET_KINDS)[number]), 'utf8')
        : await templateXlsx(kind === 'all' ? SHEET_KINDS : [kind as (typeof SHEET_KINDS)[number]]);
    const out = ctx.values.out as string | undefined;
    if (out !== undefined) {
      writeFileSync(out, bytes);
      ctx.stderr.write(`${out}: template ${kind} (${format}) written\n`);
    } else {
      ctx.stdout.write(bytes);
    }
    return 0;
  },
};
