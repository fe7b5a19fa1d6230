import {
  type RecordedEvent,
  reportDueOn,
  resolveUnit,
  unitTimelineFrom,
  writesFor,
} from '@nhagiao/domain';
import type { ReadModelStore } from '@nhagiao/readmodels';
import {
  ReportError,
  computeAnnualReport,
  defaultAsOf,
  renderReportCsv,
  renderReportJson,
  renderReportXlsx,
  withoutPersonalData,
} from '@nhagiao/reports';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { match } from 'ts-pattern';
import { PERSONAL_DATA_ROLES, keyOf } from '../auth.js';
import { ApiError } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { commonErrors, withNotFound } from './common.js';
import { mergesOf } from './reach.js';
import {
  type ReportFormat,
  reportFileParams,
  reportFileQuery,
  reportsQuery,
  reportsResponse,
} from './reports.schemas.js';

type Submission = Extract<RecordedEvent, { type: 'AnnualReportSubmitted' }>;

/** Rendered report files kept; each takes a pass over the whole log to make. */
const CACHE_ENTRIES = 32;

const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** A unit's status for the year: on time when any report is dated on or before the due day. */
export const reportStatus = (
  submissions: readonly Submission[],
  dueOn: string,
): 'submitted' | 'late' | 'missing' => {
  if (submissions.length === 0) return 'missing';
  return submissions.some((s) => s.data.submittedOn <= dueOn) ? 'submitted' : 'late';
};

export const reportRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const { plan, store, readModel } = deps;
  const projection = deps.projections?.[0] ?? 'ledger';
  const files = new Map<string, Buffer>();
  const r = app.withTypeProvider<ZodTypeProvider>();

  const submissionsOf = async (unitId: string, year: number): Promise<Submission[]> => {
    const out: Submission[] = [];
    for await (const e of store.readStream(`report-${unitId}-${year}`))
      if (e.type === 'AnnualReportSubmitted' && e.data.year === year) out.push(e);
    return out;
  };

  r.get(
    '/v1/reports',
    {
      config: { roles: ['integrator', 'reporter', 'auditor', 'admin'] },
      schema: {
        summary:
          "Each unit's annual report status for a year: submitted on or before 25 August, late, or missing (an integrator sees its own units)",
        tags: ['reports'],
        security: [{ apiKey: [] }],
        querystring: reportsQuery,
        response: { 200: reportsResponse, ...commonErrors },
      },
    },
    async (request) => {
      const { year } = request.query;
      const dueOn = reportDueOn(plan, year);
      const key = keyOf(request);
      const timeline = unitTimelineFrom(await readModel.unitEvents());
      // An integrator sees its units' reports, and those of the units merged into them.
      const mergedInto =
        key.role === 'integrator' ? await mergesOf(store, timeline.units.keys()) : () => undefined;
      const units = [...timeline.units.values()]
        .filter((u) => u.registeredOn <= dueOn)
        .filter((u) => key.role !== 'integrator' || writesFor(key.units, u.unitId, mergedInto))
        .sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
      const rows = await Promise.all(
        units.map(async (u) => {
          const own = resolveUnit({ units: new Map([[u.unitId, u]]) }, u.unitId, dueOn);
          const submissions = await submissionsOf(u.unitId, year);
          const latest = submissions[submissions.length - 1];
          const first = [...submissions].sort((a, b) =>
            a.data.submittedOn < b.data.submittedOn ? -1 : 1,
          )[0];
          return {
            unitId: u.unitId,
            name: own?.name ?? u.unitId,
            kind: u.kind,
            area: own?.area ?? '',
            countsUnder: resolveUnit(timeline, u.unitId, dueOn)?.unitId ?? u.unitId,
            status: reportStatus(submissions, dueOn),
            submissions: submissions.length,
            firstSubmittedOn: first?.data.submittedOn ?? null,
            latest:
              latest === undefined
                ? null
                : {
                    eventId: latest.id,
                    position: latest.position.toString(),
                    recordedAt: latest.recordedAt,
                    submittedOn: latest.data.submittedOn,
                    asOf: latest.data.asOf,
                    values: latest.data.values.map((v) => ({ ...v })),
                  },
          };
        }),
      );
      return { plan: plan.code, year, dueOn, units: rows };
    },
  );

  r.get(
    '/v1/reports/:unitId/:year.:format',
    {
      config: { roles: ['integrator', 'reporter', 'auditor', 'admin'] },
      schema: {
        summary:
          "A unit's annual report (Kế hoạch 423) as XLSX, CSV or JSON: indicators, counts, standard attainment, trainings, postgraduate study, funding (an integrator gets its own units'; a reporter gets no teacher ids or names)",
        tags: ['reports'],
        security: [{ apiKey: [] }],
        params: reportFileParams,
        querystring: reportFileQuery,
        response: withNotFound,
      },
    },
    async (request, reply) => {
      const { unitId, year, format } = request.params;
      const key = keyOf(request);
      if (
        key.role === 'integrator' &&
        !writesFor(key.units, unitId, await mergesOf(store, [...key.units, unitId]))
      ) {
        throw new ApiError(
          403,
          'forbidden',
          `unit ${unitId} is not one of this key's units, nor merged into one of them`,
        );
      }
      const asOf = request.query.asOf ?? defaultAsOf(year);
      // The report is made as known at the read model's checkpoint, so its figures and its counts agree.
      const checkpoint = (await readModel.checkpoint(projection)) ?? -1n;
      // Teachers' ids and names are personal data: an integrator sees its own units' (it
      // employs them), auditors and admins every unit's, a reporter none.
      const personal = key.role === 'integrator' || PERSONAL_DATA_ROLES.includes(key.role);
      const cacheKey = `${unitId}|${year}|${asOf}|${format}|${checkpoint}|${personal}`;
      let bytes = files.get(cacheKey);
      if (bytes === undefined) {
        const full = await computeAnnualReport({
          plan,
          // computeAnnualReport asks for a ReadModelStore but only calls `figures`, which the API's read model has.
          readModel: readModel as ReadModelStore,
          store,
          unitId,
          year,
          asOf,
          knownAt: checkpoint,
          generatedAt: new Date().toISOString(),
        }).catch((e: unknown) => {
          if (!(e instanceof ReportError)) throw e;
          const unknown = e.message.includes('is not registered');
          throw new ApiError(
            unknown ? 404 : 422,
            unknown ? 'not-found' : 'invalid-state',
            e.message,
            [{ path: 'unitId', message: unknown ? 'unknown unit' : e.message }],
            { cause: e },
          );
        });
        const report = personal ? full : withoutPersonalData(full);
        bytes = await match(format)
          .with('xlsx', () => renderReportXlsx(report))
          .with('csv', () => Promise.resolve(Buffer.from(renderReportCsv(report))))
          .with('json', () => Promise.resolve(Buffer.from(renderReportJson(report))))
          .exhaustive();
        if (files.size >= CACHE_ENTRIES) files.delete(files.keys().next().value ?? '');
        files.set(cacheKey, bytes);
      }
      return (reply as FastifyReply)
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="bao-cao-${unitId}-${year}.${format}"`)
        .send(bytes);
    },
  );
};
