import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_TYPES } from '../events/schemas.js';
import { authorise, recorderOf, submittedAs, writesFor } from './authorise.js';
import { addDays, parseSubmitted } from './plausible.js';
import { AUTHORITY, WRITING_ROLES } from './table.js';

describe('the authority table', () => {
  it('is the one docs/authority.md shows, row for row', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../../docs/authority.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([a-z-]+)`\s*\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(Object.fromEntries(rows)).toEqual(AUTHORITY);
    expect(rows.map(([type]) => type).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('lets integrators and admins write, and no reader', () => {
    expect([...WRITING_ROLES].sort()).toEqual(['admin', 'integrator']);
  });

  it('follows merges, in chains, and stops at a cycle', () => {
    const into: Record<string, string> = { a: 'b', b: 'c', x: 'y', y: 'x' };
    const mergedInto = (u: string) => into[u];
    expect(writesFor(['c'], 'a', mergedInto)).toBe(true);
    expect(writesFor(['a'], 'c', mergedInto)).toBe(false);
    expect(writesFor(['z'], 'x', mergedInto)).toBe(false);
  });

  it('reads who recorded an event from its metadata; none is the Sở', () => {
    const key = { keyId: 'k', role: 'integrator' as const, units: ['b', 'a', 'a'] };
    expect(submittedAs(key)).toBe('integrator:a,b');
    expect(recorderOf({ submittedAs: 'integrator:a,b' })).toEqual({
      role: 'integrator',
      units: ['a', 'b'],
    });
    expect(recorderOf({})).toEqual({ role: 'so' });
    expect(recorderOf({ submittedAs: 'integrator:' })).toEqual({ role: 'so' });
  });

  it('refuses a reader any write, and names the field at fault', () => {
    const envelope = {
      id: '0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e',
      type: 'TeacherRegistered' as const,
      data: { teacherId: 't', fullName: 'A' },
    };
    expect(
      authorise({ keyId: 'r', role: 'reporter', units: [] }, envelope, {
        mergedInto: () => undefined,
      }),
    ).toMatchObject({ path: 'type' });
  });
});

describe('intake', () => {
  it('adds days across months and leap years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-08-30', 366)).toBe('2026-08-31');
  });

  it('says which field, why and how to fix a date outside the window', () => {
    const result = parseSubmitted(
      {
        id: '0192F0C4-5B7E-7C1A-9D2E-3F4A5B6C7D8E',
        type: 'TeacherLeft',
        data: { teacherId: 't', leftOn: '2027-01-01', reason: 'resigned' },
      },
      '2025-08-30',
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.issues).toEqual([
        {
          path: 'data.leftOn',
          message:
            '2027-01-01 is more than 366 days after today (2025-08-30), the latest date accepted for leftOn; record the event nearer the day, or check the year',
        },
      ]);
    const fine = parseSubmitted(
      {
        id: '0192F0C4-5B7E-7C1A-9D2E-3F4A5B6C7D8E',
        type: 'TeacherLeft',
        data: { teacherId: 't', leftOn: '2026-01-01', reason: 'resigned' },
      },
      '2025-08-30',
    );
    expect(fine.ok && fine.value.id).toBe('0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e');
  });
});
