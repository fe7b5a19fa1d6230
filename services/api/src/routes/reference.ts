import { businessDate, getPlan, identifier, targetFor } from '@nhagiao/domain';
import { resolveUnit, unitTimelineFrom } from '@nhagiao/readmodels';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { ALL_ROLES, keyOf } from '../auth.js';
import { ApiError } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { planResponse, quarantineResponse, statusResponse, unitsResponse } from '../schemas.js';
import { commonErrors, withNotFound } from './common.js';

export const referenceRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const today =
    deps.today ?? (() => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' }));
  const projections = deps.projections ?? ['ledger'];

  r.get(
    '/v1/units',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary:
          'The registered units with their name, area and kind as of a date, merges followed',
        tags: ['reference'],
        security: [{ apiKey: [] }],
        querystring: z.strictObject({ asOf: businessDate.optional() }),
        response: { 200: unitsResponse, ...commonErrors },
      },
    },
    async (request) => {
      const asOf = request.query.asOf ?? today();
      const timeline = unitTimelineFrom(await deps.readModel.unitEvents());
      const units = [...timeline.units.values()]
        .filter((u) => u.registeredOn <= asOf)
        .map((u) => {
          const own = resolveUnit({ units: new Map([[u.unitId, u]]) }, u.unitId, asOf);
          return {
            unitId: u.unitId,
            name: own?.name ?? u.unitId,
            kind: u.kind,
            area: own?.area ?? '',
            registeredOn: u.registeredOn,
            countsUnder: resolveUnit(timeline, u.unitId, asOf)?.unitId ?? u.unitId,
          };
        })
        .sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
      return { asOf, units };
    },
  );

  r.get(
    '/v1/plans/:planId',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: "A plan's indicators and targets",
        tags: ['reference'],
        security: [{ apiKey: [] }],
        params: z.strictObject({ planId: identifier }),
        response: { 200: planResponse, ...withNotFound },
      },
    },
    async (request) => {
      const plan = getPlan(request.params.planId);
      if (plan === undefined) {
        throw new ApiError(404, 'not-found', `no plan ${request.params.planId}`, [
          { path: 'planId', message: 'unknown plan' },
        ]);
      }
      return {
        code: plan.code,
        title: plan.title,
        countFrom: plan.countFrom,
        legalSource: plan.legalSource,
        indicators: plan.indicators.map((i) => ({
          code: i.code,
          title: i.title,
          targets: Object.keys(i.targets)
            .sort()
            .flatMap((year) => {
              const t = targetFor(plan, i.code, Number(year));
              return t === undefined ? [] : [t];
            }),
        })),
      };
    },
  );

  r.get(
    '/v1/quarantine',
    {
      config: { roles: ['integrator', 'auditor', 'admin'] },
      schema: {
        summary:
          'Rejected submissions with their reasons, newest first, a page at a time; an integrator sees its own. Each key keeps its newest 10,000 entries; an item longer than 16 KiB is kept cut ({truncated, chars, text})',
        tags: ['events'],
        security: [{ apiKey: [] }],
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: quarantineResponse, ...commonErrors },
      },
    },
    async (request) => {
      const key = keyOf(request);
      const { limit, offset } = request.query;
      const entries =
        deps.quarantine === undefined
          ? []
          : await deps.quarantine.list({
              limit,
              offset,
              ...(key.role === 'integrator' ? { actorId: key.id } : {}),
            });
      return {
        entries: entries.map((e) => ({
          ...e,
          actorId: e.actorId ?? null,
          issues: e.issues.map((i) => ({ path: i.path, message: i.message })),
        })),
      };
    },
  );

  r.get(
    '/v1/status',
    {
      config: { roles: ALL_ROLES },
      schema: {
        summary: "The store's head, each read model's checkpoint and how far behind it is",
        tags: ['status'],
        security: [{ apiKey: [] }],
        response: { 200: statusResponse, ...commonErrors },
      },
    },
    async () => {
      const head = await deps.store.head();
      const checkpoints: Record<string, string | null> = {};
      const lag: Record<string, string | null> = {};
      for (const p of projections) {
        const c = await deps.readModel.checkpoint(p);
        checkpoints[p] = c === null ? null : c.toString();
        lag[p] = head === null ? '0' : (head - (c ?? 0n)).toString();
      }
      return {
        head: head === null ? null : head.toString(),
        checkpoints,
        lag,
        plan: deps.plan.code,
      };
    },
  );
};
