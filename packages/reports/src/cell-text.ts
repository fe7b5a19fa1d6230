/**
 * Text that a spreadsheet program would read as the start of a formula (or,
 * after a tab or carriage return, of a cell it evaluates): `=`, `+`, `-`, `@`,
 * tab and CR at the very beginning (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A piece of text as it may be written into a CSV or XLSX cell: text that could
 * start a formula gets a leading apostrophe, so `=cmd|' /C calc'!A0` is shown,
 * never run. Every other value is returned as it is; numbers are not text and
 * are left alone (a negative figure stays a number).
 */
export const cellText = <T>(value: T): T | string =>
  typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
