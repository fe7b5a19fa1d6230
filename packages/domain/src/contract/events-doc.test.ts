import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ZodType } from 'zod';
import { EVENT_TYPES, eventDataSchemas } from '../events/schemas.js';

/*
 * docs/events.md is the integrator's guide to the contract: its § Types table
 * must list every event type, and for each the data fields the schema takes,
 * optional ones marked `?` — so an event type or field added to the contract
 * without its line in the guide fails here.
 */

const doc = readFileSync(path.resolve(__dirname, '../../../../docs/events.md'), 'utf8');
const section = doc.slice(
  doc.indexOf('\n## Types'),
  doc.indexOf('\n## ', doc.indexOf('\n## Types') + 1),
);

/** Splits a table cell at its top-level commas (not those inside brackets or parentheses). */
const items = (cell: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of cell) {
    if ('[({'.includes(ch)) depth++;
    if ('])}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
};

/** The documented fields of each type: name → optional. */
const documented = new Map(
  [...section.matchAll(/^\|\s*`(\w+)`\s*\|(.*)\|\s*$/gm)].map((m) => {
    const cell = (m[2] as string).split(' — ')[0] as string;
    const fields = items(cell).map((item) => {
      const field = /^(\w+)(\?)?/.exec(item);
      if (field === null)
        throw new Error(`docs/events.md, ${m[1]}: cannot read the field in "${item}"`);
      return [field[1] as string, field[2] === '?'] as const;
    });
    return [m[1] as string, Object.fromEntries(fields)];
  }),
);

/** The schema's fields of each type: name → optional. */
const fieldsOf = (schema: ZodType): Record<string, boolean> | undefined => {
  const shape = (schema as { shape?: Record<string, ZodType> }).shape;
  if (shape === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [name, field.safeParse(undefined).success]),
  );
};

describe('docs/events.md § Types', () => {
  it('lists every event type of the contract, and no other', () => {
    expect([...documented.keys()].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each([...EVENT_TYPES])('gives the fields of %s as the schema takes them', (type) => {
    const fields = fieldsOf(eventDataSchemas[type] as ZodType);
    if (fields === undefined) throw new Error(`${type}: its schema has no object shape to compare`);
    expect(documented.get(type)).toEqual(fields);
  });
});
