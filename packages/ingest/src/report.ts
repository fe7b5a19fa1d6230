import type { FieldIssue } from '@nhagiao/domain';
import type { ReportValue } from './types.js';

/** Whether an input item is an annual report (before it is validated). */
export const isReportItem = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === 'AnnualReportSubmitted';

/** The report's data with what the server sets left out, so it can be validated before the figures are computed. */
export const signOffData = (
  value: unknown,
  recordedOn: string,
): { readonly input: unknown; readonly sentValues: boolean; readonly sentDay: unknown } => {
  const raw = value as Record<string, unknown>;
  const data = raw.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { input: value, sentValues: false, sentDay: undefined };
  const d = data as Record<string, unknown>;
  const year = d.year;
  return {
    input: {
      ...raw,
      data: {
        ...d,
        asOf: d.asOf ?? (typeof year === 'number' ? `${year}-06-30` : undefined),
        submittedOn: d.submittedOn ?? recordedOn,
        values: d.values ?? [],
      },
    },
    sentValues: d.values !== undefined,
    sentDay: d.submittedOn,
  };
};

const LEAVE_OUT =
  'a unit signs its report off (signedOffBy, note) and does not supply figures: leave values out and the server fills them in from the log';

/**
 * The first figure sent that differs from the log's, or a plan indicator
 * missing: the field at fault and why. Undefined when they agree.
 */
export const firstDifference = (
  sent: readonly ReportValue[],
  computed: readonly ReportValue[],
  asOf: string,
): FieldIssue | undefined => {
  for (const [i, v] of sent.entries()) {
    const c = computed.find((x) => x.indicator === v.indicator);
    if (c === undefined)
      return {
        path: `data.values[${i}].indicator`,
        message: `${v.indicator} is not an indicator of the plan (${computed.map((x) => x.indicator).join(', ')}); ${LEAVE_OUT}`,
      };
    if (sent.findIndex((x) => x.indicator === v.indicator) !== i)
      return {
        path: `data.values[${i}].indicator`,
        message: `${v.indicator} is named twice; ${LEAVE_OUT}`,
      };
    for (const field of ['numerator', 'denominator'] as const)
      if (v[field] !== c[field])
        return {
          path: `data.values[${i}].${field}`,
          message: `${v[field]} differs from the log's ${c[field]} for ${v.indicator} as of ${asOf} (${c.numerator}/${c.denominator}); ${LEAVE_OUT}`,
        };
  }
  const missing = computed.find((c) => !sent.some((v) => v.indicator === c.indicator));
  if (missing !== undefined)
    return {
      path: 'data.values',
      message: `lacks ${missing.indicator} (the log's ${missing.numerator}/${missing.denominator} as of ${asOf}); ${LEAVE_OUT}`,
    };
  return undefined;
};
