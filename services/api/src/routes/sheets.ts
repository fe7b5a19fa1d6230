import { SHEET_KINDS, importSpreadsheet, templateCsv, templateXlsx } from '@nhagiao/sheets';
import { SUBMITTED_AS, type TeacherPlace, recorderOf } from '@nhagiao/domain';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { keyOf } from '../auth.js';
import { ApiError, errorBodySchema } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { commonErrors } from './common.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv';

const importResponse = z
  .object({
    appended: z.number().int(),
    corrections: z.number().int(),
    unchanged: z.number().int(),
    duplicates: z.number().int(),
    rows: z.number().int(),
    sheets: z.array(
      z.object({ name: z.string(), kind: z.enum(SHEET_KINDS), rows: z.number().int() }),
    ),
  })
  .meta({ id: 'SheetImport' });

/** `Văn bằng!F12 (Ngày cấp): why` → the cell and the reason. */
const detail = (problem: string): { path: string; message: string } => {
  const at = problem.indexOf('): ');
  const cut = at !== -1 ? at + 1 : problem.indexOf(': ');
  return cut === -1
    ? { path: '', message: problem }
    : { path: problem.slice(0, cut), message: problem.slice(cut + 2) };
};

/**
 * For a key that is not the Sở's: a teacher is readable when they work, or last
 * worked, at one of the key's units (or a unit merged into one of them), or,
 * never hired, were registered by one of them — as authority decides who
 * records facts about them (docs/authority.md). A sheet never compares with,
 * nor quotes, what is stored about another unit's teacher, nor about a
 * never-hired teacher another unit or the Sở registered.
 */
const teacherReadable =
  (deps: ServerDeps, units: readonly string[]) =>
  async (place: TeacherPlace): Promise<boolean> => {
    const unit = place.employedAt ?? place.lastUnit;
    if (unit !== undefined) return reaches(deps, unit, units);
    if (place.registeredAs === undefined) return false;
    const registrar = recorderOf({ [SUBMITTED_AS]: place.registeredAs });
    if (registrar.role !== 'integrator') return false;
    for (const u of registrar.units) if (await reaches(deps, u, units)) return true;
    return false;
  };

/** Whether `unit`, or the unit it was merged into (following merges), is one of `units`. */
const reaches = async (
  deps: ServerDeps,
  unit: string,
  units: readonly string[],
): Promise<boolean> => {
  const seen: string[] = [];
  for (let u: string | undefined = unit; u !== undefined && !seen.includes(u);) {
    if (units.includes(u)) return true;
    seen.push(u);
    let into: string | undefined;
    for await (const e of deps.store.readStream(`unit-${u}`)) {
      if (e.type === 'UnitMerged') into = (e.data as { intoUnitId: string }).intoUnitId;
    }
    u = into;
  }
  return false;
};

/**
 * POST /v1/imports (an XLSX or CSV file of records, as the units keep them) and
 * GET /v1/templates/:kind. The spreadsheet media types are read only here, in a
 * scope of their own, so /v1/events still takes JSON and NDJSON only.
 */
export const sheetRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      [XLSX_TYPE, CSV_TYPE],
      { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    const r = scope.withTypeProvider<ZodTypeProvider>();
    r.post(
      '/v1/imports',
      {
        config: { roles: ['integrator', 'admin'] },
        bodyLimit: 32 * 1024 * 1024,
        schema: {
          summary:
            'Import a spreadsheet of records (XLSX or CSV): units, teachers and hires, degrees, certificates, programmes, enrolments and completions, transfers, leaves',
          description:
            'Each row becomes events with ids derived from its natural key: the same sheet again appends nothing, rows added append only theirs, a changed row appends a retraction and the corrected fact. All or nothing: every bad cell is listed (Sheet!C12 (header)) and nothing is stored. Templates: GET /v1/templates/{kind}.',
          tags: ['events'],
          consumes: [XLSX_TYPE, CSV_TYPE],
          security: [{ apiKey: [] }],
          querystring: z.strictObject({
            name: z.string().min(1).max(200).optional().describe('the file name, for messages'),
          }),
          response: {
            200: importResponse,
            ...commonErrors,
            413: errorBodySchema,
            415: errorBodySchema,
            422: errorBodySchema,
          },
        },
        validatorCompiler: ({ schema, httpPart }) =>
          httpPart === 'body'
            ? (data: unknown) => ({ value: data })
            : (data: unknown) => {
                const result = (schema as unknown as z.ZodType).safeParse(data);
                return result.success ? { value: result.data } : { error: result.error };
              },
      },
      async (request) => {
        const key = keyOf(request);
        const body = request.body as unknown;
        const format = (request.headers['content-type'] ?? '').startsWith(XLSX_TYPE)
          ? 'xlsx'
          : 'csv';
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw new ApiError(400, 'invalid-request', 'the request holds no file', [
            { path: 'body', message: 'is empty' },
          ]);
        }
        const report = await importSpreadsheet({
          readStream: (stream) => deps.store.readStream(stream),
          ingestor: deps.ingestor,
          files: [{ bytes: body, name: request.query.name ?? `upload.${format}`, format }],
          actor: {
            id: key.id,
            role: key.role,
            ...(key.role === 'integrator' ? { units: new Set(key.units) } : {}),
          },
          ...(key.role === 'admin' ? {} : { mayReadTeacher: teacherReadable(deps, key.units) }),
        });
        if (report.problems.length > 0) {
          throw new ApiError(
            422,
            'rejected',
            `${report.problems.length} problem(s) in ${report.source}; nothing was stored — fix the cells named and send the file again`,
            report.problems.map(detail),
          );
        }
        if (report.appended > 0 && deps.afterAppend !== undefined) await deps.afterAppend();
        return {
          appended: report.appended,
          corrections: report.corrections,
          unchanged: report.unchanged,
          duplicates: report.duplicates,
          rows: report.rows,
          sheets: [...report.sheets],
        };
      },
    );
    r.get(
      '/v1/templates/:kind',
      {
        config: { roles: ['integrator', 'reporter', 'auditor', 'admin'] },
        schema: {
          summary:
            'A spreadsheet template to fill in and POST to /v1/imports (Vietnamese headers, English under them)',
          tags: ['events'],
          security: [{ apiKey: [] }],
          params: z.strictObject({ kind: z.enum([...SHEET_KINDS, 'all']) }),
          querystring: z.strictObject({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
          response: commonErrors,
        },
      },
      async (request, reply) => {
        const { kind } = request.params;
        const { format } = request.query;
        if (format === 'csv' && kind === 'all') {
          throw new ApiError(
            400,
            'invalid-request',
            'a CSV file holds one kind: name it, or ask for format=xlsx',
            [{ path: 'params.kind', message: 'all needs format=xlsx' }],
          );
        }
        const bytes =
          format === 'csv'
            ? Buffer.from(templateCsv(kind as (typeof SHEET_KINDS)[number]), 'utf8')
            : await templateXlsx(
                kind === 'all' ? SHEET_KINDS : [kind as (typeof SHEET_KINDS)[number]],
              );
        return (reply as FastifyReply)
          .type(format === 'csv' ? `${CSV_TYPE}; charset=utf-8` : XLSX_TYPE)
          .header('content-disposition', `attachment; filename="mau-${kind}.${format}"`)
          .send(bytes);
      },
    );
  });
};

/** What each write route takes, for a 415 that says what to send instead. */
export const ACCEPTED_MEDIA_TYPES: Readonly<Record<string, readonly string[]>> = {
  '/v1/events': ['application/json', 'application/x-ndjson'],
  '/v1/imports': [XLSX_TYPE, CSV_TYPE],
};

/** The 415 answer: the media types the route accepts and, for a spreadsheet sent as events, where it goes. */
export const unsupportedMediaType = (contentType: string | undefined, url: string): ApiError => {
  const route = url.split('?')[0] ?? url;
  const accepted = ACCEPTED_MEDIA_TYPES[route] ?? ['application/json'];
  const sent = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const spreadsheet =
    sent === CSV_TYPE || sent === XLSX_TYPE || sent === 'application/vnd.ms-excel';
  const hint =
    spreadsheet && route === '/v1/events'
      ? `; this looks like a spreadsheet: POST it to /v1/imports (templates: GET /v1/templates/{kind}), or send NDJSON`
      : '';
  return new ApiError(
    415,
    'unsupported-media-type',
    `${sent === '' ? 'a body without a content type' : sent} is not accepted by ${route}: send ${accepted.join(' or ')}${hint}`,
    [{ path: 'headers.content-type', message: `accepted: ${accepted.join(', ')}` }],
  );
};
