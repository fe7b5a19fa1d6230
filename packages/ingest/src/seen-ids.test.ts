import { SeenIds, type SeenRow } from './seen-ids.js';

const uuid = (n: number): string => `10000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const row = (n: number, stream = `teacher-t${n % 7}`, line = n): SeenRow => ({
  id: uuid(n),
  line,
  type: 'TeacherRegistered',
  data: `{"n":${n}}`,
  stream,
  metadata: n % 2 === 0 ? '' : `{"source":"s${n}"}`,
});

describe('SeenIds', () => {
  let seen: SeenIds;
  beforeEach(() => {
    seen = new SeenIds();
  });
  afterEach(() => seen.close());

  it('finds every id noted, whatever the window it came in, and none other', () => {
    const noted = 12_000;
    for (let start = 0; start < noted; start += 2_000)
      seen.addAll(Array.from({ length: 2_000 }, (_, i) => row(start + i + 1)));
    const wrong: number[] = [];
    for (let n = 1; n <= noted; n++) {
      const found = seen.get(uuid(n));
      if (found?.line !== n || found.data !== `{"n":${n}}`) wrong.push(n);
    }
    for (let n = noted + 1; n <= noted + 5_000; n++)
      if (seen.get(uuid(n)) !== undefined) wrong.push(n);
    expect(wrong).toEqual([]);
    expect(seen.get(uuid(7))).toEqual({ line: 7, type: 'TeacherRegistered', data: '{"n":7}' });
  });

  it('keeps the first event noted under an id, within a window or across windows', () => {
    seen.addAll([row(1, 'teacher-a', 1), { ...row(1, 'teacher-a', 2), data: '{"n":"later"}' }]);
    seen.addAll([{ ...row(1, 'teacher-a', 3), type: 'TeacherHired' }]);
    expect(seen.get(uuid(1))).toEqual({ line: 1, type: 'TeacherRegistered', data: '{"n":1}' });
    expect(seen.ofStream('teacher-a')).toHaveLength(1);
  });

  it("gives a stream's events in the order they were noted, with their metadata, and no other stream's", () => {
    seen.addAll([row(1, 'teacher-a'), row(2, 'teacher-b'), row(3, 'teacher-a')]);
    // Two events of one line (a decision that yields more than one) stay in the order noted.
    seen.addAll([row(9, 'teacher-a', 4), row(5, 'teacher-a', 4)]);
    expect(seen.ofStream('teacher-a')).toEqual([
      { id: uuid(1), type: 'TeacherRegistered', data: { n: 1 }, metadata: { source: 's1' } },
      { id: uuid(3), type: 'TeacherRegistered', data: { n: 3 }, metadata: { source: 's3' } },
      { id: uuid(9), type: 'TeacherRegistered', data: { n: 9 }, metadata: { source: 's9' } },
      { id: uuid(5), type: 'TeacherRegistered', data: { n: 5 }, metadata: { source: 's5' } },
    ]);
    expect(seen.ofStream('teacher-b')).toEqual([
      { id: uuid(2), type: 'TeacherRegistered', data: { n: 2 } },
    ]);
    expect(seen.ofStream('teacher-c')).toEqual([]);
  });
});
