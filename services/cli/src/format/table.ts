/** Width of a string on a terminal: combining marks take no column (Vietnamese NFD input). */
export const displayWidth = (s: string): number => s.normalize('NFC').replace(/\p{M}/gu, '').length;

const pad = (s: string, width: number, right: boolean): string => {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? gap + s : s + gap;
};

/** A plain-text table: a header row, a rule, then the rows. Columns listed in `right` align right. */
export const renderTable = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
): string => {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0, right.has(i)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

/** CSV per RFC 4180: every field quoted when it holds a comma, quote or line break. */
export const renderCsv = (
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
): string => {
  const field = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
};

/** 43,5 % — Vietnamese writes a decimal comma. */
export const percentVi = (value: number | null, digits = 1): string =>
  value === null ? '—' : `${(value * 100).toFixed(digits).replace('.', ',')} %`;

/** 43,5 % in Vietnamese, 43.5 % in English; — for no value. */
export const percentIn = (lang: 'vi' | 'en', value: number | null, digits = 1): string =>
  lang === 'vi'
    ? percentVi(value, digits)
    : value === null
      ? '—'
      : `${(value * 100).toFixed(digits)} %`;

/** 31/12/2025 in Vietnamese text; the ISO date elsewhere. */
export const displayDate = (iso: string, lang: 'vi' | 'en'): string =>
  lang === 'vi' && /^\d{4}-\d{2}-\d{2}$/.test(iso)
    ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`
    : iso;
