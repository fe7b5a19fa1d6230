import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEGREE_LEVELS, TOPICS, UNIT_KINDS } from '../events/vocabulary.js';
import { bacKan423of2024 } from './bac-kan-423-2024.js';
import { degreeLevelLabels, topicLabels, unitKindLabels } from './labels.js';
import { getPlan, plans, reportDueOn, targetFor } from './registry.js';
import { planSchema } from './schema.js';

const plan = bacKan423of2024;

describe('plan 423/KH-UBND', () => {
  it('is registered under its code with its legal source', () => {
    expect(getPlan('bac-kan-423-2024')).toBe(plan);
    expect([...plans.keys()]).toEqual(['bac-kan-423-2024']);
    expect(getPlan('423')).toBeUndefined();
    expect(plan.legalSource).toEqual({
      documentNumber: '423/KH-UBND',
      date: '2024-06-20',
      issuer: 'UBND tỉnh Bắc Kạn',
      implements: '05/2024/TT-BLĐTBXH',
    });
    expect(plan.countFrom).toBe('2024-01-01');
    expect(reportDueOn(plan, 2025)).toBe('2025-08-25');
  });

  it('carries the targets of docs/indicators.md § Plan 423 and its targets, judged on 31 December', () => {
    const table = Object.fromEntries(
      plan.indicators.map((i) => [
        i.code,
        [targetFor(plan, i.code, 2025)?.target, targetFor(plan, i.code, 2030)?.target],
      ]),
    );
    expect(table).toEqual({
      'master-or-above': [0.43, 0.44],
      'college-lecturers-qualified': [1, undefined],
      'trained-curriculum-outcomes': [0.5, 0.6],
      'trained-quality-accreditation': [0.5, 0.6],
      'trained-digital-materials': [0.5, 0.6],
      'trained-digital-transformation': [0.7, 0.8],
    });
    expect(targetFor(plan, 'master-or-above', 2025)).toEqual({
      year: 2025,
      target: 0.43,
      judgedAsOf: '2025-12-31',
    });
    expect(targetFor(plan, 'master-or-above', 2027)).toBeUndefined();
    expect(() => targetFor(plan, 'masters', 2025)).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
  });

  it('gives each indicator its rule', () => {
    const rules = Object.fromEntries(plan.indicators.map((i) => [i.code, i.rule]));
    expect(rules['college-lecturers-qualified']).toEqual({
      kind: 'meets-standard',
      standardVersion: '05/2024',
      unitKind: 'college',
    });
    expect(rules['trained-digital-materials']).toEqual({
      kind: 'trained',
      topic: 'digital-materials',
      countFrom: '2024-01-01',
    });
    expect(rules['master-or-above']).toEqual({ kind: 'master-or-above' });
  });

  it('words indicator titles as the plan text does, diacritics included', () => {
    const source = readFileSync(join(__dirname, 'sources', '423-KH-UBND-2024.txt'), 'utf8');
    const flat = source.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();
    const phrases: Record<string, string> = {
      'master-or-above': 'nhà giáo đạt trình độ thạc sỹ',
      'college-lecturers-qualified':
        'giảng viên trường cao đẳng bắc kạn được đào tạo đạt chuẩn về trình độ theo quy định',
    };
    for (const i of plan.indicators) {
      const phrase = phrases[i.code] ?? i.title.vi.toLowerCase();
      expect(i.title.vi.toLowerCase()).toContain(phrase);
      expect(flat).toContain(phrase);
    }
    expect(flat).toContain(plan.title.vi.toLowerCase());
  });
});

describe('planSchema', () => {
  const valid = planSchema.parse(plan);
  const issuesOf = (input: unknown) => {
    const r = planSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('rejects a target outside 0–1, a duplicate code and a training rule counting from another date', () => {
    const [first, ...rest] = valid.indicators;
    if (first === undefined) throw new Error('plan has no indicators');
    expect(
      issuesOf({ ...valid, indicators: [{ ...first, targets: { '2025': 43 } }, ...rest] }),
    ).toEqual(['indicators.0.targets.2025: must be from 0 to 1']);
    expect(issuesOf({ ...valid, indicators: [first, first] })).toEqual([
      'indicators.1.code: master-or-above is listed twice',
    ]);
    const trained = rest[1];
    if (trained === undefined) throw new Error('plan has too few indicators');
    expect(
      issuesOf({
        ...valid,
        indicators: [
          { ...trained, rule: { kind: 'trained', topic: 'pedagogy', countFrom: '2023-01-01' } },
        ],
      }),
    ).toEqual(["indicators.0.rule.countFrom: must be the plan's countFrom 2024-01-01"]);
  });

  it('rejects an unknown rule kind and an unknown field', () => {
    const [first] = valid.indicators;
    expect(
      issuesOf({ ...valid, indicators: [{ ...first, rule: { kind: 'headcount' } }] }),
    ).toHaveLength(1);
    expect(issuesOf({ ...valid, budget: 1 })).toHaveLength(1);
    expect(planSchema.safeParse(valid).success).toBe(true);
  });
});

describe('labels', () => {
  it('label every unit kind, topic and degree level in both languages', () => {
    for (const [table, keys] of [
      [unitKindLabels, UNIT_KINDS],
      [topicLabels, TOPICS],
      [degreeLevelLabels, DEGREE_LEVELS],
    ] as const) {
      expect(Object.keys(table).sort()).toEqual([...keys].sort());
      for (const label of Object.values(table)) {
        expect(label.vi.length).toBeGreaterThan(0);
        expect(label.en.length).toBeGreaterThan(0);
        expect(label.vi).toBe(label.vi.normalize('NFC'));
      }
    }
    expect(degreeLevelLabels.master.vi).toBe('Thạc sĩ');
  });
});
