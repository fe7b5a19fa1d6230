import {
  type RecordedEvent,
  type TeacherFacts,
  foldTeacherFacts,
  identifier,
} from '@nhagiao/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { keyOf } from '../auth.js';
import { ApiError } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { teacherEventsResponse, teacherResponse } from '../schemas.js';
import { withNotFound } from './common.js';
import { teacherViewOfKey } from './reach.js';

const idParams = z.strictObject({ id: identifier });

/** The unit a teacher works at now (after transfers), or null when not employed. */
const currentUnit = (facts: TeacherFacts): string | null => {
  const last = facts.employments[facts.employments.length - 1];
  if (last === undefined || last.leftOn !== undefined) return null;
  return last.transfers[last.transfers.length - 1]?.toUnitId ?? last.unitId;
};

const eventJson = (e: RecordedEvent) => ({
  id: e.id,
  type: e.type,
  stream: e.stream,
  revision: e.revision.toString(),
  position: e.position.toString(),
  recordedAt: e.recordedAt,
  data: e.data as Record<string, unknown>,
  metadata: { ...e.metadata },
});

export const teacherRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /**
   * The teacher's events this key may read (docs/authority.md § A re-hire, and
   * what a unit may read), once it is clear it may read the teacher at all: an
   * integrator without a span, a fact or a registration of its own is refused
   * the same whether or not the teacher exists (404 before 403 would leak it).
   */
  const load = async (
    request: FastifyRequest,
    teacherId: string,
  ): Promise<{ events: readonly RecordedEvent[]; facts: TeacherFacts }> => {
    const all: RecordedEvent[] = [];
    for await (const e of deps.store.readStream(`teacher-${teacherId}`)) all.push(e);
    const key = keyOf(request);
    const view = await teacherViewOfKey(deps.store, key, all);
    if (key.role === 'integrator' && !view.readable) {
      throw new ApiError(
        403,
        'forbidden',
        `teacher ${teacherId} is not one this key may read: it reads the teachers its units (${key.units.join(', ')}) employ or employed, for the time they did`,
      );
    }
    if (all.length === 0) {
      throw new ApiError(404, 'not-found', `no teacher ${teacherId}`, [
        { path: 'id', message: 'unknown teacher' },
      ]);
    }
    return { events: view.events, facts: foldTeacherFacts(teacherId, view.events) };
  };

  r.get(
    '/v1/teachers/:id',
    {
      config: { roles: ['integrator', 'auditor', 'admin'] },
      schema: {
        summary:
          "A teacher's facts and timeline (personal data: integrators of the teacher's unit, auditors, admins)",
        tags: ['teachers'],
        security: [{ apiKey: [] }],
        params: idParams,
        response: { 200: teacherResponse, ...withNotFound },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { events, facts } = await load(request, id);
      let fullName: string | null = null;
      for (const e of events) if (e.type === 'TeacherRegistered') fullName = e.data.fullName;
      return {
        teacherId: id,
        fullName,
        currentUnitId: currentUnit(facts),
        employments: facts.employments.map((e) => ({
          unitId: e.unitId,
          employment: e.employment,
          hiredOn: e.hiredOn,
          leftOn: e.leftOn ?? null,
          levels: [...e.levels],
          mode: e.mode,
          transfers: e.transfers.map((t) => ({ toUnitId: t.toUnitId, effectiveOn: t.effectiveOn })),
        })),
        degrees: facts.degrees.map((d) => ({
          degreeId: d.degreeId,
          level: d.level,
          awardedOn: d.awardedOn,
          pedagogical: d.pedagogical,
          revokedOn: d.revokedOn ?? null,
        })),
        certificates: facts.certificates.map((c) => ({
          certificateId: c.certificateId,
          kind: c.kind,
          level: c.level ?? null,
          issuedOn: c.issuedOn,
          expiresOn: c.expiresOn ?? null,
          revokedOn: c.revokedOn ?? null,
        })),
        completions: facts.completions.map((c) => ({
          programmeId: c.programmeId,
          completedOn: c.completedOn,
          revokedOn: c.revokedOn ?? null,
        })),
        timeline: events.map((e) => ({
          position: e.position.toString(),
          recordedAt: e.recordedAt,
          type: e.type,
          id: e.id,
        })),
      };
    },
  );

  r.get(
    '/v1/teachers/:id/events',
    {
      config: { roles: ['integrator', 'auditor', 'admin'] },
      schema: {
        summary: "A teacher's events as stored, with positions and metadata",
        tags: ['teachers'],
        security: [{ apiKey: [] }],
        params: idParams,
        response: { 200: teacherEventsResponse, ...withNotFound },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { events } = await load(request, id);
      return { teacherId: id, events: events.map(eventJson) };
    },
  );
};
