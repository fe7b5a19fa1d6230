import * as z from 'zod';

/** The zone in which every business date of the contract is a calendar date. */
export const VIETNAM_ZONE = 'Asia/Ho_Chi_Minh';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `s` is `YYYY-MM-DD` and names a day of the proleptic Gregorian
 * calendar (no 2025-02-30). Plain arithmetic: it runs for every date of every
 * event imported, and a calendar date has no time zone to consult.
 */
export const isCalendarDate = (s: string): boolean => {
  if (!DATE_PATTERN.test(s)) return false;
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));
};

/** A business date: `YYYY-MM-DD`, a real calendar day in Vietnam, no time, no offset. */
export const businessDate = z.string().superRefine((s, ctx) => {
  if (!DATE_PATTERN.test(s)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a date written YYYY-MM-DD (got ${JSON.stringify(s.slice(0, 40))})`,
    });
  } else if (!isCalendarDate(s)) {
    ctx.addIssue({ code: 'custom', message: `${s} is not a day of the calendar` });
  }
});

/** An identifier such as a teacherId or unitId. */
export const identifier = z
  .string()
  .regex(
    ID_PATTERN,
    'must be 1–64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** Free text a person typed (a name, a title): not empty, at most 500 characters, stored in Unicode NFC. */
export const text = z
  .string()
  .overwrite((s) => s.normalize('NFC'))
  .refine((s) => s.trim().length > 0, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

export const uuid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'must be a UUID such as 0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e',
  );
