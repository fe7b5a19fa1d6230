import { SUBMITTED_AS, type TeacherPlace } from '@nhagiao/domain';
import type { InputItem } from '@nhagiao/ingest';
import type { Draft } from './kinds.js';
import { type CellProblem, type SheetRow, cellOf } from './rows.js';
import { uuidV5 } from './uuid.js';

/** An event as read back from the store: what a row is compared with. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** Reads one stream in revision order (an `EventStore`'s `readStream` fits). */
export type StreamReader = (stream: string) => AsyncIterable<StoredEvent>;

/**
 * Whether the importing key may read what is stored about a teacher, from where
 * the teacher works or last worked. Asked only of a teacher with a stream; when
 * it says no, the planner neither compares with, quotes nor counts anything
 * stored about the teacher: the rows are refused. Undefined: every teacher is
 * readable (the Sở, the operator).
 */
export type TeacherReadable = (place: TeacherPlace) => boolean | Promise<boolean>;

/** What one item handed to the ingestor is: a row's new fact, a correction, or the retraction a correction needs. */
export interface Origin {
  readonly row: SheetRow;
  readonly kind: 'new' | 'correction' | 'retraction';
  /** For a retraction: the event it removes. */
  readonly retracts?: { readonly id: string; readonly type: string };
}

export interface ImportPlan {
  /** The envelopes to ingest, in the order they must be decided; `line` indexes `origins`. */
  readonly items: readonly InputItem[];
  readonly origins: readonly Origin[];
  /** Rows' events already stored with the same content (after Unicode normalisation). */
  readonly unchanged: number;
  readonly corrections: number;
  /** Changes that no event of contract v1 can record: named by cell, nothing is stored. */
  readonly problems: readonly CellProblem[];
}

/** Text fields to NFC, recursively; everything else as it is. */
const nfcDeep = (v: unknown): unknown => {
  if (typeof v === 'string') return v.normalize('NFC');
  if (Array.isArray(v)) return v.map(nfcDeep);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nfcDeep(x)]));
  }
  return v;
};

/**
 * JSON with keys sorted and lists of codes as sets (sorted), so field order
 * never makes a change. The records of a sheet are flat: fields of text,
 * numbers, booleans and lists of codes.
 */
const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return JSON.stringify([...(v as unknown[])].map(String).sort());
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let copy = o;
  for (const k of keys) {
    const x = o[k];
    if (Array.isArray(x)) {
      if (copy === o) copy = { ...o };
      copy[k] = [...(x as unknown[])].map(String).sort();
    } else if (x !== null && typeof x === 'object') {
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(o[key])}`).join(',')}}`;
    }
  }
  // Keys in sorted order: JSON.stringify writes the properties in the order of this list.
  return JSON.stringify(copy, keys);
};

type Data = Readonly<Record<string, unknown>>;

/** The natural key of a row's event: what makes two rows, or a row and a stored event, the same record. */
export const naturalKey = (type: string, data: Data): string | undefined => {
  const t = data.teacherId as string;
  switch (type) {
    case 'UnitRegistered':
      return `unit/${data.unitId as string}`;
    case 'ProgrammeRegistered':
      return `programme/${data.programmeId as string}`;
    case 'TeacherRegistered':
      return `teacher/${t}`;
    case 'TeacherHired':
      return `hire/${t}/${data.hiredOn as string}`;
    case 'DegreeAwarded':
      return `degree/${t}/${data.degreeId as string}`;
    case 'CertificateIssued':
      return `certificate/${t}/${data.certificateId as string}`;
    case 'TeacherEnrolled':
      return `enrolment/${t}/${data.programmeId as string}`;
    case 'CourseCompleted':
      return `completion/${t}/${data.programmeId as string}`;
    case 'TeacherTransferred':
      return `transfer/${t}/${data.effectiveOn as string}`;
    case 'TeacherLeft':
      return `leave/${t}/${data.leftOn as string}`;
    default:
      return undefined;
  }
};

/** The business date an event is ordered by within a teacher's stream, and its rank on a tie. */
const DATE_FIELD: Readonly<Record<string, readonly [string, number]>> = {
  TeacherHired: ['hiredOn', 0],
  DegreeAwarded: ['awardedOn', 1],
  CertificateIssued: ['issuedOn', 2],
  TeacherEnrolled: ['enrolledOn', 3],
  CourseCompleted: ['completedOn', 4],
  TeacherTransferred: ['effectiveOn', 5],
  TeacherLeft: ['leftOn', 6],
};

/** What a stream holds that rows are compared with: the current event of each natural key. */
interface StreamView {
  readonly current: Map<string, StoredEvent>;
  /** A programme's topics as last corrected, and the event that set them. */
  topics?: { readonly topics: readonly string[]; readonly id: string };
  /** A teacher the importing key may not read: nothing stored is shown, the rows are refused. */
  hidden?: boolean;
}

/**
 * Where a teacher works now and last worked, and who registered them (a
 * never-hired teacher is the registering authority's), from the stream's
 * events not retracted.
 */
const placeOf = (all: readonly StoredEvent[], retracted: ReadonlySet<string>): TeacherPlace => {
  let employedAt: string | undefined;
  let lastUnit: string | undefined;
  let registeredAs: string | undefined;
  for (const e of all) {
    if (retracted.has(e.id)) continue;
    const data = e.data as Data;
    if (e.type === 'TeacherRegistered') {
      registeredAs = e.metadata?.[SUBMITTED_AS];
    } else if (e.type === 'TeacherHired') {
      employedAt = data.unitId as string;
      lastUnit = employedAt;
    } else if (e.type === 'TeacherTransferred' && employedAt !== undefined) {
      employedAt = data.toUnitId as string;
      lastUnit = employedAt;
    } else if (e.type === 'TeacherLeft') {
      employedAt = undefined;
    }
  }
  return { employedAt, lastUnit, registeredAs };
};

const viewOf = async (
  stream: string,
  events: AsyncIterable<StoredEvent>,
  mayRead: TeacherReadable | undefined,
): Promise<StreamView> => {
  const all: StoredEvent[] = [];
  for await (const e of events) all.push(e);
  const retracted = new Set(
    all.flatMap((e) => (e.type === 'EventRetracted' ? [(e.data as Data).eventId as string] : [])),
  );
  if (
    mayRead !== undefined &&
    all.length > 0 &&
    stream.startsWith('teacher-') &&
    !(await mayRead(placeOf(all, retracted)))
  ) {
    return { current: new Map(), hidden: true };
  }
  const view: StreamView = { current: new Map() };
  for (const e of all) {
    if (retracted.has(e.id)) continue;
    const data = e.data as Data;
    if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected') {
      view.topics = { topics: data.topics as string[], id: e.id };
    }
    const key = naturalKey(e.type, data);
    if (key !== undefined) view.current.set(key, e);
  }
  return view;
};

const streamOfRow = (row: SheetRow): string => {
  const data = row.drafts[0]!.data;
  if (row.kind === 'units') return `unit-${data.unitId as string}`;
  if (row.kind === 'programmes') return `programme-${data.programmeId as string}`;
  return `teacher-${data.teacherId as string}`;
};

/** Reads the streams the rows are about, a few at a time. */
const readViews = async (
  streams: readonly string[],
  read: StreamReader,
  mayRead: TeacherReadable | undefined,
): Promise<Map<string, StreamView>> => {
  const views = new Map<string, StreamView>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < streams.length) {
      const stream = streams[next++]!;
      views.set(stream, await viewOf(stream, read(stream), mayRead));
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, streams.length) }, worker));
  return views;
};

const UNIT_FIXES: Readonly<Record<string, string>> = {
  name: 'a unit is renamed by UnitRenamed, with the day it takes effect',
  area: 'a unit changes area by UnitAreaChanged, with the day it takes effect',
  kind: "no event of contract v1 changes a unit's kind; register a new unit",
  registeredOn: 'the registration date cannot be changed',
};

/**
 * Turns rows into the envelopes to ingest. Each event's id is a UUIDv5 of the
 * row's natural key, its content (NFC, keys sorted) and the id of the event it
 * replaces: the same sheet imported again gives the same ids, and a row that
 * changed gives a retraction of the stored event and the new fact.
 */
export const planImport = async (
  rows: readonly SheetRow[],
  read: StreamReader,
  where: string,
  mayRead?: TeacherReadable,
): Promise<ImportPlan> => {
  const order: string[] = [];
  const byStream = new Map<string, SheetRow[]>();
  for (const row of rows) {
    const stream = streamOfRow(row);
    let list = byStream.get(stream);
    if (list === undefined) {
      list = [];
      byStream.set(stream, list);
      order.push(stream);
    }
    list.push(row);
  }
  const views = await readViews(order, read, mayRead);

  const items: InputItem[] = [];
  const origins: Origin[] = [];
  const problems: CellProblem[] = [];
  let unchanged = 0;
  let corrections = 0;
  const push = (type: string, data: Data, id: string, origin: Origin): void => {
    origins.push(origin);
    items.push({
      line: items.length + 1,
      value: {
        id,
        type,
        data,
        metadata: {
          source: origin.row.file ?? where,
          row: `${origin.row.sheet}!${origin.row.row}`,
        },
      },
    });
  };
  const problem = (row: SheetRow, field: string, message: string): void => {
    const cell = cellOf(row, field);
    problems.push({
      where: cell?.ref ?? `${row.sheet}!${row.row}`,
      column: cell?.header ?? '',
      message,
    });
  };
  const firstDifference = (a: Data, b: Data): string =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].find(
      (k) => canonical(a[k] ?? null) !== canonical(b[k] ?? null),
    ) ?? '';

  // Units and programmes first: teachers' hires, transfers and enrolments name them.
  const rank = (stream: string): number =>
    stream.startsWith('unit-') ? 0 : stream.startsWith('programme-') ? 1 : 2;
  const streams = [...order].sort((a, b) => rank(a) - rank(b));
  for (const stream of streams) {
    const view = views.get(stream)!;
    if (view.hidden === true) {
      // Nothing stored is compared with or quoted: not a value, not an id, not "unchanged".
      for (const row of byStream.get(stream)!) {
        const teacherId = row.drafts[0]!.data.teacherId as string;
        problem(
          row,
          'teacherId',
          `teacher ${teacherId} is not one of this key's units' teachers: only the unit that employs a teacher, or the Sở, records facts about them`,
        );
      }
      continue;
    }
    // Teachers' new facts are ordered by date after their retractions.
    const facts: { draft: Draft; id: string; origin: Origin }[] = [];
    const retractions: { data: Data; id: string; origin: Origin }[] = [];
    for (const row of byStream.get(stream)!) {
      let redo = false;
      for (const draft of row.drafts) {
        const data = draft.data;
        const key = naturalKey(draft.type, data)!;
        const content = canonical(data);
        const stored = view.current.get(key);
        const storedSame = stored !== undefined && canonical(nfcDeep(stored.data)) === content;
        if (stored === undefined) {
          const id = uuidV5(`${key}\n${content}\n`);
          facts.push({ draft, id, origin: { row, kind: 'new' } });
          view.current.set(key, { id, type: draft.type, data });
          continue;
        }
        if (storedSame && !redo) {
          unchanged++;
          continue;
        }
        if (draft.type === 'UnitRegistered') {
          const field = firstDifference(nfcDeep(stored.data) as Data, data);
          problem(
            row,
            field,
            `unit ${data.unitId as string} is registered with ${field} "${String((stored.data as Data)[field] ?? '')}": ${UNIT_FIXES[field] ?? 'it cannot be changed by a sheet'}; or write it as registered`,
          );
          continue;
        }
        if (draft.type === 'TeacherRegistered') {
          const field = firstDifference(nfcDeep(stored.data) as Data, data);
          problem(
            row,
            field,
            `teacher ${data.teacherId as string} is registered with ${field} "${String((stored.data as Data)[field] ?? '')}": no event of contract v1 changes a teacher's registration; write it as registered`,
          );
          continue;
        }
        if (draft.type === 'ProgrammeRegistered') {
          const registered = { ...(nfcDeep(stored.data) as Data) };
          const rest = { ...data };
          delete registered.topics;
          delete rest.topics;
          const field = firstDifference(registered, rest);
          if (field !== '') {
            problem(
              row,
              field,
              `programme ${data.programmeId as string} is registered with ${field} "${String((stored.data as Data)[field] ?? '')}": only its topics can be corrected (ProgrammeTopicsCorrected); write it as registered`,
            );
            continue;
          }
          const topics = data.topics as string[];
          if (view.topics !== undefined && canonical(view.topics.topics) === canonical(topics)) {
            unchanged++;
            continue;
          }
          const id = uuidV5(
            `topics/${data.programmeId as string}\n${canonical(topics)}\n${view.topics?.id ?? stored.id}`,
          );
          push(
            'ProgrammeTopicsCorrected',
            {
              programmeId: data.programmeId,
              topics,
              reason: `corrected in ${row.file ?? where} ${row.sheet}!${row.row}`,
            },
            id,
            { row, kind: 'correction' },
          );
          view.topics = { topics, id };
          corrections++;
          continue;
        }
        // A changed fact of a teacher: retract what is stored, record the row as it is now.
        // Later events of the same row that depend on it (a completion on its enrolment) are redone too.
        redo = true;
        const retractId = uuidV5(`retract\n${stored.id}`);
        retractions.push({
          data: {
            teacherId: data.teacherId,
            eventId: stored.id,
            reason: `corrected in ${row.file ?? where} ${row.sheet}!${row.row}`,
          },
          id: retractId,
          origin: { row, kind: 'retraction', retracts: { id: stored.id, type: stored.type } },
        });
        const id = uuidV5(`${key}\n${content}\n${stored.id}`);
        facts.push({ draft, id, origin: { row, kind: 'correction' } });
        view.current.set(key, { id, type: draft.type, data });
        corrections++;
      }
    }
    const registrations = facts.filter((f) => DATE_FIELD[f.draft.type] === undefined);
    const dated = facts
      .filter((f) => DATE_FIELD[f.draft.type] !== undefined)
      .map((f, i) => {
        const [field, typeRank] = DATE_FIELD[f.draft.type]!;
        return { f, date: f.draft.data[field] as string, typeRank, i };
      })
      .sort((a, b) =>
        a.date < b.date ? -1 : a.date > b.date ? 1 : a.typeRank - b.typeRank || a.i - b.i,
      );
    for (const f of registrations) push(f.draft.type, f.draft.data, f.id, f.origin);
    // A completion is retracted before its enrolment: the reverse of the order they were recorded in.
    for (const r of retractions.reverse()) push('EventRetracted', r.data, r.id, r.origin);
    for (const { f } of dated) push(f.draft.type, f.draft.data, f.id, f.origin);
  }
  return { items, origins, unchanged, corrections, problems };
};
