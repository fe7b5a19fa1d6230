/** Formatting shared by the page and its tests: Vietnamese conventions by default. */
export type Lang = 'vi' | 'en';

const groupThousands = (digits: string, sep: string): string =>
  digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);

/** An integer: 1.234 in Vietnamese, 1,234 in English. */
export const formatInteger = (n: number, lang: Lang): string => {
  const sign = n < 0 ? '-' : '';
  return sign + groupThousands(String(Math.abs(Math.round(n))), lang === 'vi' ? '.' : ',');
};

/** A number with a fixed count of decimals: 43,5 in Vietnamese, 43.5 in English. */
export const formatDecimal = (n: number, decimals: number, lang: Lang): string => {
  const fixed = Math.abs(n).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const sign = n < 0 && Number(fixed) !== 0 ? '-' : '';
  const grouped = groupThousands(whole, lang === 'vi' ? '.' : ',');
  return (
    sign + (fraction === undefined ? grouped : grouped + (lang === 'vi' ? ',' : '.') + fraction)
  );
};

/** A share 0–1 as a percentage with one decimal: "43,5 %" (Vietnamese puts a space before %). */
export const formatPercent = (share: number | null, lang: Lang): string =>
  share === null ? '—' : `${formatDecimal(share * 100, 1, lang)}${lang === 'vi' ? '\u00a0%' : '%'}`;

/** A difference of two shares in percentage points, signed: "+1,2 điểm %". */
export const formatPoints = (delta: number, lang: Lang): string => {
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return `${sign}${formatDecimal(Math.abs(delta) * 100, 1, lang)}${lang === 'vi' ? '\u00a0điểm %' : ' pp'}`;
};

/** A business date YYYY-MM-DD as dd/MM/yyyy. */
export const formatDate = (iso: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m === null ? iso : `${m[3]}/${m[2]}/${m[1]}`;
};

/** An instant as dd/MM/yyyy HH:mm:ss in Vietnam time. */
export const formatInstant = (iso: string): string => {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const vn = new Date(t.getTime() + 7 * 3600_000).toISOString();
  return `${formatDate(vn.slice(0, 10))} ${vn.slice(11, 19)}`;
};

/** The last day of each month from `from` (YYYY-MM) up to the month of `until`, ending on `until` itself. */
export const monthEnds = (from: string, until: string): string[] => {
  const out: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    if (last >= until) {
      if (`${year}-${String(month).padStart(2, '0')}` <= until.slice(0, 7)) out.push(until);
      return out;
    }
    out.push(last);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
};

/** A datetime-local value (Vietnam wall time) as an ISO instant with its offset. */
export const vietnamInstant = (local: string): string => {
  const withSeconds = /T\d{2}:\d{2}$/.test(local) ? `${local}:00` : local;
  return `${withSeconds}+07:00`;
};
