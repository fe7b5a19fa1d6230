import type { Pipeline } from './forecast.js';

/** Calls to the API with the session cookie; the page never holds a key. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const getJson = async <T>(url: string): Promise<T> => {
  const res = await fetch(url, {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (!res.ok) {
    let message = `${res.status}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // The body was not the API's error shape; the status says enough.
    }
    throw new HttpError(res.status, message);
  }
  return (await res.json()) as T;
};

export const query = (params: Record<string, string | null | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, v);
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
};

export interface Figure {
  readonly indicator: string;
  readonly scope: string;
  readonly asOf: string;
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number | null;
  readonly target: number | null;
}
export interface Figures {
  readonly asOf: string;
  readonly knownAt: string | null;
  readonly figures: readonly Figure[];
}
export interface PlanIndicator {
  readonly code: string;
  readonly title: { readonly vi: string; readonly en: string };
  readonly targets: readonly { year: number; target: number; judgedAsOf: string }[];
}
export interface Plan {
  readonly code: string;
  readonly title: { readonly vi: string; readonly en: string };
  readonly countFrom: string;
  readonly indicators: readonly PlanIndicator[];
}
export interface Unit {
  readonly unitId: string;
  readonly name: string;
  readonly kind: string;
  readonly area: string;
  readonly registeredOn: string;
  readonly countsUnder: string;
}
export interface ReportStatus {
  readonly unitId: string;
  readonly name: string;
  readonly kind: string;
  readonly area: string;
  readonly countsUnder: string;
  readonly status: 'submitted' | 'late' | 'missing';
  readonly submissions: number;
  readonly firstSubmittedOn: string | null;
  readonly latest: {
    readonly eventId: string;
    readonly position: string;
    readonly recordedAt: string;
    readonly submittedOn: string;
    readonly asOf: string;
    readonly values?: readonly {
      readonly indicator: string;
      readonly numerator: number;
      readonly denominator: number;
    }[];
  } | null;
}
export interface ReportStatuses {
  readonly year: number;
  readonly dueOn: string;
  readonly units: readonly ReportStatus[];
}
export interface Explanation extends Figure {
  readonly teachers?: readonly { teacherId: string; numerator: number; denominator: number }[];
}
export interface HistoryRow {
  readonly unitId: string;
  readonly validFrom: string;
  readonly position: string;
  readonly recordedAt: string | null;
  readonly dNumerator: number;
  readonly dDenominator: number;
  readonly eventId: string;
  readonly teacherId: string;
}
export interface RecordedEventJson {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly position: string;
  readonly recordedAt: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, string>;
}
export interface Session {
  readonly role: string;
  readonly planId: string;
  readonly expiresAt: string;
}

/** Runs `tasks` with at most `limit` in flight, keeping their order. */
export const pooled = async <T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> => {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
};

export interface Counts {
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number | null;
}
/** `GET /v1/dashboard/overview`: the scorecard's facts in one answer. */
export interface DashboardOverview {
  readonly asOf: string;
  readonly knownAt: string | null;
  readonly indicators: readonly {
    readonly code: string;
    readonly figure: Counts;
    readonly corrected: Counts | null;
    readonly targets: readonly {
      readonly year: number;
      readonly target: number;
      readonly judgedAsOf: string;
      readonly shortNow: number;
      readonly result: (Counts & { readonly met: boolean | null; readonly short: number }) | null;
    }[];
    readonly series: readonly (Counts & { readonly date: string })[];
    readonly behind: readonly (Counts & {
      readonly unitId: string;
      readonly name: string;
      readonly short: number;
    })[];
  }[];
  readonly pipeline: Pipeline | null;
}

/** `GET /v1/dashboard/unit`: one unit's figures, series, what its teachers lack, its pipeline. */
export interface DashboardUnit {
  readonly asOf: string;
  readonly unit: {
    readonly unitId: string;
    readonly name: string;
    readonly kind: string;
    readonly area: string;
    readonly countsUnder: string;
    readonly countsUnderName: string;
  };
  readonly indicators: readonly {
    readonly code: string;
    readonly figure: Counts;
    readonly target: {
      readonly year: number;
      readonly target: number;
      readonly short: number;
    } | null;
    readonly series: readonly (Counts & { readonly date: string })[];
    readonly lacking?: readonly { readonly teacherId: string; readonly fullName: string | null }[];
  }[];
  readonly pipeline: Pipeline | null;
}
