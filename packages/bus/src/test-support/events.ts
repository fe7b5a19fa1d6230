import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@nhagiao/domain';

/**
 * `count` valid recorded events at positions `from`, `from + 1`, …: each teacher
 * registered then completing a course, with Vietnamese text and metadata, so a
 * transport test exercises non-ASCII bodies and optional fields.
 */
export const sampleRecordedEvents = (count: number, from = 1n): RecordedEvent[] =>
  Array.from({ length: count }, (_, i): RecordedEvent => {
    const position = from + BigInt(i);
    const teacher = `gv-${Math.floor(i / 2)}`;
    const base = {
      id: randomUUID(),
      stream: `teacher-${teacher}`,
      revision: BigInt(i % 2),
      position,
      recordedAt: new Date(Date.UTC(2025, 4, 1, 0, 0, 0, i)).toISOString(),
      metadata: { source: 'moodle.cdbk', correlationId: `c-${i}` },
    };
    return i % 2 === 0
      ? {
          ...base,
          type: 'TeacherRegistered',
          data: { teacherId: teacher, fullName: `Nguyễn Thị Hường ${i}`, gender: 'female' },
        }
      : {
          ...base,
          type: 'CourseCompleted',
          data: {
            teacherId: teacher,
            programmeId: 'dt-2025-01',
            completedOn: '2025-05-12',
            result: 'merit',
          },
        };
  });
