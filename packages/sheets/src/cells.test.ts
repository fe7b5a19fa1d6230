import { TOPICS, topicLabels } from '@nhagiao/domain';
import { CellError, nfc, readDate, readList, vocabulary } from './cells.js';

describe('cells', () => {
  it('reads dd/mm/yyyy, d/m/yyyy, ISO dates, date cells and Excel serial numbers', () => {
    expect(readDate('06/01/2025')).toBe('2025-01-06');
    expect(readDate('6/1/2025')).toBe('2025-01-06');
    expect(readDate('2025-01-06')).toBe('2025-01-06');
    expect(readDate(new Date(Date.UTC(2025, 0, 6)))).toBe('2025-01-06');
    // A date cell read back a millisecond short of midnight is still that day.
    expect(readDate(new Date(Date.UTC(2025, 0, 6) - 1))).toBe('2025-01-06');
    expect(readDate(45663)).toBe('2025-01-06');
    expect(() => readDate('29/02/2025')).toThrow(CellError);
    expect(() => readDate('2025/01/06')).toThrow(/dd\/mm\/yyyy/);
  });

  it('stores text in NFC with its spaces collapsed', () => {
    const nfd = '  Nguyễn   Thị Hồng '.normalize('NFD');
    expect(nfc(nfd)).toBe('Nguyễn Thị Hồng'.normalize('NFC'));
    expect(nfc('Hà Nội')).toBe('Hà Nội');
  });

  it('splits a list on ; and , but keeps a label that holds a comma whole', () => {
    const topics = vocabulary(TOPICS, topicLabels);
    expect(
      readList('Xây dựng và sử dụng học liệu, bài giảng số; Nghiệp vụ sư phạm', topics),
    ).toEqual(['digital-materials', 'pedagogy']);
    expect(readList('digital-materials, pedagogy', topics)).toEqual([
      'digital-materials',
      'pedagogy',
    ]);
    expect(() => readList('Xây dựng', topics)).toThrow(/not one of the accepted values/);
  });
});
