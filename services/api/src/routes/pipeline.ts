import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PERSONAL_DATA_ROLES, keyOf } from '../auth.js';
import type { ServerDeps } from '../ports.js';
import { commonErrors } from './common.js';
import { pipelineQuery, pipelineResponse } from './pipeline.schemas.js';
import { pipelineCounts } from './pipeline-counts.js';
import { createPipelineSource } from './pipeline-facts.js';

/** Distinct (asOf, scope, audience) answers kept per checkpoint. */
const CACHE_ENTRIES = 128;

/**
 * `GET /v1/pipeline`: what the forecast may add or take away after asOf —
 * postgraduate studies under way, open enrolments by topic, announced
 * departures by month. Computed from the store's log up to the read model's
 * checkpoint, so the counts and the indicator figures describe the same events.
 */
export const pipelineRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const { plan, readModel } = deps;
  const today =
    deps.today ?? (() => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' }));
  const projection = deps.projections?.[0] ?? 'ledger';
  const source = createPipelineSource(deps.store);
  const cache = new Map<string, string>();
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/pipeline',
    {
      config: { roles: ['reporter', 'auditor', 'admin'] },
      schema: {
        summary:
          'Forecast inputs on a date: postgraduate studies under way by expected year, open enrolments by topic, announced departures by month (counts; auditors and admins also get the teacher ids)',
        tags: ['indicators'],
        security: [{ apiKey: [] }],
        querystring: pipelineQuery,
        response: { 200: pipelineResponse, ...commonErrors },
      },
    },
    async (request, reply) => {
      const asOf = request.query.asOf ?? today();
      const { scope } = request.query;
      const withTeachers = PERSONAL_DATA_ROLES.includes(keyOf(request).role);
      const checkpoint = await readModel.checkpoint(projection);
      const key = `${asOf}|${scope}|${withTeachers}|${checkpoint ?? ''}`;
      let json = cache.get(key);
      if (json === undefined) {
        const counts = await source.at(checkpoint ?? -1n, (snapshot) =>
          pipelineCounts(snapshot, plan, asOf, scope, withTeachers),
        );
        const body = {
          plan: plan.code,
          knownAt: checkpoint === null ? null : checkpoint.toString(),
          ...counts,
        };
        json = JSON.stringify(pipelineResponse.parse(body));
        if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '');
        cache.set(key, json);
      }
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
    },
  );
};
