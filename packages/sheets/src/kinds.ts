import {
  CERTIFICATE_KINDS,
  COURSE_RESULTS,
  DEGREE_LEVELS,
  EMPLOYMENTS,
  GENDERS,
  LEAVE_REASONS,
  PROGRAMME_MODES,
  TEACHING_LEVELS,
  TEACHING_MODES,
  TOPICS,
  UNIT_KINDS,
  certificateKindLabels,
  degreeLevelLabels,
  employmentLabels,
  teachingLevelLabels,
  teachingModeLabels,
  topicLabels,
  unitKindLabels,
} from '@nhagiao/domain';
import {
  type CellValue,
  CellError,
  readBool,
  readDate,
  readEnum,
  readId,
  readInt,
  readList,
  readText,
  type Vocabulary,
  vocabulary,
} from './cells.js';

/** The records people keep in sheets, one kind per sheet. */
export const SHEET_KINDS = [
  'units',
  'teachers',
  'degrees',
  'certificates',
  'programmes',
  'enrolments',
  'transfers',
  'leaves',
] as const;
export type SheetKind = (typeof SHEET_KINDS)[number];

export interface Column {
  readonly key: string;
  readonly vi: string;
  readonly en: string;
  readonly required: boolean;
  readonly read: (v: CellValue) => unknown;
  /** What to write, for the template's guide sheet. */
  readonly hint: string;
}

/** One event a row stands for, before it gets its id. */
export interface Draft {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A problem with a row as a whole, charged to one of its columns. */
export class RowError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

export interface KindSpec {
  readonly kind: SheetKind;
  readonly vi: string;
  readonly en: string;
  readonly columns: readonly Column[];
  /** The events of one row, in the order they are recorded. */
  readonly drafts: (row: Readonly<Record<string, unknown>>) => Draft[];
}

const col = (
  key: string,
  vi: string,
  en: string,
  read: (v: CellValue) => unknown,
  hint: string,
  required = true,
): Column => ({ key, vi, en, read, hint, required });

const words = (vocab: Vocabulary<string>): string => vocab.map((e) => e.label).join(' · ');

const vUnitKind = vocabulary(UNIT_KINDS, unitKindLabels, {
  college: ['cao đẳng', 'trường cđ'],
  'vet-centre': ['trung tâm gdnn-gdtx', 'trung tâm'],
  private: ['tư thục'],
  other: ['khác'],
});
const vEmployment = vocabulary(EMPLOYMENTS, employmentLabels, {
  permanent: ['biên chế'],
});
const vLevel = vocabulary(TEACHING_LEVELS, teachingLevelLabels, {
  college: ['cao đẳng', 'cđ'],
  intermediate: ['trung cấp', 'tc'],
  elementary: ['sơ cấp', 'sc'],
});
const vMode = vocabulary(TEACHING_MODES, teachingModeLabels);
const vGender = vocabulary(GENDERS, {
  female: { vi: 'Nữ', en: 'Female' },
  male: { vi: 'Nam', en: 'Male' },
});
const vLeave = vocabulary(LEAVE_REASONS, {
  retired: { vi: 'Nghỉ hưu', en: 'Retired' },
  resigned: { vi: 'Thôi việc', en: 'Resigned' },
  dismissed: { vi: 'Buộc thôi việc', en: 'Dismissed' },
  deceased: { vi: 'Từ trần', en: 'Deceased' },
  'contract-ended': { vi: 'Hết hợp đồng', en: 'Contract ended' },
  other: { vi: 'Khác', en: 'Other' },
});
const vDegree = vocabulary(DEGREE_LEVELS, degreeLevelLabels, {
  master: ['thạc sỹ', 'ths'],
  doctorate: ['ts'],
  bachelor: ['cử nhân', 'kỹ sư'],
});
const vCertificate = vocabulary(CERTIFICATE_KINDS, certificateKindLabels);
const vTopic = vocabulary(TOPICS, topicLabels);
const vProgrammeMode = vocabulary(PROGRAMME_MODES, {
  'in-person': { vi: 'Trực tiếp', en: 'In person' },
  online: { vi: 'Trực tuyến', en: 'Online' },
  blended: { vi: 'Kết hợp', en: 'Blended' },
});
const vResult = vocabulary(COURSE_RESULTS, {
  passed: { vi: 'Đạt', en: 'Passed' },
  merit: { vi: 'Khá', en: 'Merit' },
  distinction: { vi: 'Giỏi', en: 'Distinction' },
});

const DATE_HINT = 'dd/mm/yyyy, or a date cell';
const ID_HINT = 'letters, digits, . _ - (no spaces)';
const enumOf =
  <T extends string>(vocab: Vocabulary<T>) =>
  (v: CellValue) =>
    readEnum(v, vocab);
const listOf =
  <T extends string>(vocab: Vocabulary<T>) =>
  (v: CellValue) =>
    readList(v, vocab);
const text = (v: CellValue): string => {
  const s = readText(v);
  if (s.length > 500) throw new CellError(`has ${s.length} characters; at most 500`);
  return s;
};

/** Only the fields that were filled in. */
const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const teacherCol = col('teacherId', 'Mã nhà giáo', 'Teacher code', readId, ID_HINT);
const programmeCol = col('programmeId', 'Mã chương trình', 'Programme code', readId, ID_HINT);

const HIRE_COLUMNS = ['employment', 'hiredOn', 'levels', 'mode'] as const;

export const KINDS: Readonly<Record<SheetKind, KindSpec>> = {
  units: {
    kind: 'units',
    vi: 'Đơn vị',
    en: 'Units',
    columns: [
      col('unitId', 'Mã đơn vị', 'Unit code', readId, ID_HINT),
      col('name', 'Tên đơn vị', 'Unit name', text, 'full name'),
      col('kind', 'Loại hình', 'Kind', enumOf(vUnitKind), words(vUnitKind)),
      col(
        'area',
        'Mã địa bàn',
        'Area code',
        readId,
        'district/city code (docs/events.md § Area codes)',
      ),
      col('registeredOn', 'Ngày đăng ký', 'Registered on', readDate, DATE_HINT),
    ],
    drafts: (r) => [{ type: 'UnitRegistered', data: { ...r } }],
  },
  teachers: {
    kind: 'teachers',
    vi: 'Nhà giáo',
    en: 'Teachers',
    columns: [
      teacherCol,
      col('fullName', 'Họ và tên', 'Full name', text, 'as on the identity card'),
      col('birthDate', 'Ngày sinh', 'Birth date', readDate, DATE_HINT, false),
      col('gender', 'Giới tính', 'Gender', enumOf(vGender), 'Nữ · Nam', false),
      col('ethnicity', 'Dân tộc', 'Ethnicity', text, 'e.g. Tày', false),
      col(
        'unitId',
        'Mã đơn vị',
        'Unit code',
        readId,
        'the unit that hired them (blank: registered only)',
        false,
      ),
      col(
        'employment',
        'Loại nhà giáo',
        'Employment',
        enumOf(vEmployment),
        words(vEmployment),
        false,
      ),
      col('hiredOn', 'Ngày tuyển dụng', 'Hired on', readDate, DATE_HINT, false),
      col(
        'levels',
        'Trình độ giảng dạy',
        'Levels taught',
        listOf(vLevel),
        'one or more of Cao đẳng, Trung cấp, Sơ cấp, separated by ,',
        false,
      ),
      col('mode', 'Dạy lý thuyết/thực hành', 'Teaching mode', enumOf(vMode), words(vMode), false),
    ],
    drafts: (r) => {
      const registered: Draft = {
        type: 'TeacherRegistered',
        data: defined({
          teacherId: r.teacherId,
          fullName: r.fullName,
          birthDate: r.birthDate,
          gender: r.gender,
          ethnicity: r.ethnicity,
        }),
      };
      if (r.unitId === undefined) {
        const stray = HIRE_COLUMNS.find((c) => r[c] !== undefined);
        if (stray !== undefined) {
          throw new RowError(
            'unitId',
            'is empty while the hire is filled in: name the unit that hired them',
          );
        }
        return [registered];
      }
      const missing = HIRE_COLUMNS.find((c) => r[c] === undefined);
      if (missing !== undefined) {
        throw new RowError(
          missing,
          'is empty: a hire needs the employment, the date, the levels taught and the mode',
        );
      }
      return [
        registered,
        {
          type: 'TeacherHired',
          data: {
            teacherId: r.teacherId,
            unitId: r.unitId,
            employment: r.employment,
            hiredOn: r.hiredOn,
            levels: r.levels,
            mode: r.mode,
          },
        },
      ];
    },
  },
  degrees: {
    kind: 'degrees',
    vi: 'Văn bằng',
    en: 'Degrees',
    columns: [
      teacherCol,
      col('degreeId', 'Mã văn bằng', 'Degree code', readId, 'e.g. the diploma number'),
      col('level', 'Trình độ', 'Level', enumOf(vDegree), words(vDegree)),
      col('field', 'Ngành', 'Field', text, 'e.g. Kỹ thuật điện'),
      col('institution', 'Cơ sở đào tạo', 'Institution', text, 'e.g. ĐH Thái Nguyên'),
      col('awardedOn', 'Ngày cấp', 'Awarded on', readDate, DATE_HINT),
      col(
        'pedagogical',
        'Sư phạm',
        'Pedagogical',
        readBool,
        'có / không (a teacher-training degree)',
        false,
      ),
      col('country', 'Quốc gia', 'Country', text, 'blank: Việt Nam', false),
    ],
    drafts: (r) => [{ type: 'DegreeAwarded', data: { ...r } }],
  },
  certificates: {
    kind: 'certificates',
    vi: 'Chứng chỉ',
    en: 'Certificates',
    columns: [
      teacherCol,
      col(
        'certificateId',
        'Mã chứng chỉ',
        'Certificate code',
        readId,
        'e.g. the certificate number',
      ),
      col('kind', 'Loại chứng chỉ', 'Kind', enumOf(vCertificate), words(vCertificate)),
      col(
        'level',
        'Bậc',
        'Level',
        (v) => readInt(v, 1, 6),
        'national skill 1–5, foreign language 1–6',
        false,
      ),
      col('occupation', 'Nghề', 'Occupation', text, 'for a national skill', false),
      col('issuedOn', 'Ngày cấp', 'Issued on', readDate, DATE_HINT),
      col('expiresOn', 'Ngày hết hạn', 'Expires on', readDate, DATE_HINT, false),
    ],
    drafts: (r) => [{ type: 'CertificateIssued', data: { ...r } }],
  },
  programmes: {
    kind: 'programmes',
    vi: 'Chương trình',
    en: 'Programmes',
    columns: [
      programmeCol,
      col('title', 'Tên chương trình', 'Title', text, 'as in the decision that opened it'),
      col('provider', 'Đơn vị tổ chức', 'Provider', text, 'who runs it'),
      col(
        'topics',
        'Chủ đề',
        'Topics',
        listOf(vTopic),
        `one or more, separated by ; — ${words(vTopic)}`,
      ),
      col('hours', 'Số giờ', 'Hours', (v) => readInt(v, 1, 10000), 'whole hours', false),
      col(
        'mode',
        'Hình thức tổ chức',
        'Mode',
        enumOf(vProgrammeMode),
        words(vProgrammeMode),
        false,
      ),
      col('abroad', 'Ở nước ngoài', 'Abroad', readBool, 'có / không', false),
    ],
    drafts: (r) => [{ type: 'ProgrammeRegistered', data: { ...r } }],
  },
  enrolments: {
    kind: 'enrolments',
    vi: 'Học viên',
    en: 'Enrolments',
    columns: [
      teacherCol,
      programmeCol,
      col('enrolledOn', 'Ngày ghi danh', 'Enrolled on', readDate, DATE_HINT),
      col(
        'completedOn',
        'Ngày hoàn thành',
        'Completed on',
        readDate,
        `${DATE_HINT}; blank while studying`,
        false,
      ),
      col('hours', 'Số giờ học', 'Hours', (v) => readInt(v, 1, 10000), 'whole hours', false),
      col('result', 'Kết quả', 'Result', enumOf(vResult), words(vResult), false),
    ],
    drafts: (r) => {
      const enrolled: Draft = {
        type: 'TeacherEnrolled',
        data: { teacherId: r.teacherId, programmeId: r.programmeId, enrolledOn: r.enrolledOn },
      };
      if (r.completedOn === undefined) {
        const stray = (['hours', 'result'] as const).find((c) => r[c] !== undefined);
        if (stray !== undefined) {
          throw new RowError(
            'completedOn',
            'is empty while the result is filled in: give the completion date',
          );
        }
        return [enrolled];
      }
      return [
        enrolled,
        {
          type: 'CourseCompleted',
          data: defined({
            teacherId: r.teacherId,
            programmeId: r.programmeId,
            completedOn: r.completedOn,
            hours: r.hours,
            result: r.result,
          }),
        },
      ];
    },
  },
  transfers: {
    kind: 'transfers',
    vi: 'Điều chuyển',
    en: 'Transfers',
    columns: [
      teacherCol,
      col('toUnitId', 'Đơn vị chuyển đến', 'To unit', readId, 'the unit code they move to'),
      col('effectiveOn', 'Ngày hiệu lực', 'Effective on', readDate, DATE_HINT),
    ],
    drafts: (r) => [{ type: 'TeacherTransferred', data: { ...r } }],
  },
  leaves: {
    kind: 'leaves',
    vi: 'Nghỉ việc',
    en: 'Leaves',
    columns: [
      teacherCol,
      col(
        'leftOn',
        'Ngày thôi việc',
        'Left on',
        readDate,
        `${DATE_HINT}: the first day no longer employed`,
      ),
      col('reason', 'Lý do', 'Reason', enumOf(vLeave), words(vLeave)),
    ],
    drafts: (r) => [{ type: 'TeacherLeft', data: { ...r } }],
  },
};
