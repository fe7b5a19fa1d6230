import {
  type DegreeLevel,
  degreeLevelLabels,
  employmentLabels,
  teachingLevelLabels,
  teachingModeLabels,
  topicLabels,
  unitKindLabels,
} from '@nhagiao/domain';
import type { AnnualReport } from './types.js';

/** One table of the report: a name, Vietnamese headers (English below them) and rows. */
export interface Sheet {
  readonly key: string;
  /** Sheet name (Excel: ≤ 31 characters, no / \ ? * [ ]). */
  readonly name: string;
  readonly headers: readonly string[];
  readonly headersEn: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

const fundingSourceLabels: Readonly<Record<string, string>> = {
  'state-budget': 'Ngân sách nhà nước',
  'national-target-programme': 'Chương trình mục tiêu quốc gia',
  'unit-revenue': 'Nguồn thu của đơn vị',
  mobilised: 'Nguồn huy động',
};

const requirementLabels: Readonly<Record<string, string>> = {
  theory: 'lý thuyết',
  practice: 'thực hành',
  pedagogy: 'nghiệp vụ sư phạm',
};

const degreeLabel = (d: DegreeLevel | 'none'): string =>
  d === 'none' ? 'Chưa có bằng' : degreeLevelLabels[d].vi;

/** The report as tables, in the order the XLSX and CSV print them. */
export const reportSheets = (r: AnnualReport): Sheet[] => [
  {
    key: 'indicators',
    name: 'Chỉ tiêu',
    headers: [
      'Mã chỉ tiêu',
      'Chỉ tiêu',
      'Tử số',
      'Mẫu số',
      'Tỷ lệ',
      'Mục tiêu 2025',
      'Mục tiêu 2030',
    ],
    headersEn: [
      'Code',
      'Indicator',
      'Numerator',
      'Denominator',
      'Value',
      'Target 2025',
      'Target 2030',
    ],
    rows: r.indicators.map((i) => [
      i.indicator,
      i.titleVi,
      i.numerator,
      i.denominator,
      i.value,
      i.target2025,
      i.target2030,
    ]),
  },
  {
    key: 'by-degree',
    name: 'Trình độ',
    headers: ['Trình độ cao nhất', 'Cơ hữu', 'Thỉnh giảng', 'Tổng'],
    headersEn: ['Highest degree', 'Permanent', 'Visiting', 'Total'],
    rows: r.byDegree.map((d) => [degreeLabel(d.degree), d.permanent, d.visiting, d.total]),
  },
  {
    key: 'by-employment',
    name: 'Loại hình',
    headers: ['Loại hình', 'Số nhà giáo'],
    headersEn: ['Employment', 'Teachers'],
    rows: (['permanent', 'visiting'] as const).map((e) => [
      employmentLabels[e].vi,
      r.byEmployment[e],
    ]),
  },
  {
    key: 'by-level-taught',
    name: 'Cấp trình độ giảng dạy',
    headers: ['Cấp trình độ giảng dạy', 'Cơ hữu', 'Thỉnh giảng', 'Tổng'],
    headersEn: ['Level taught', 'Permanent', 'Visiting', 'Total'],
    rows: r.byLevelTaught.map((l) => [
      teachingLevelLabels[l.level].vi,
      l.permanent,
      l.visiting,
      l.total,
    ]),
  },
  {
    key: 'standard',
    name: 'Chuẩn nhà giáo',
    headers: [
      'Mã nhà giáo',
      'Họ và tên',
      'Cấp giảng dạy',
      'Hình thức',
      'Đạt chuẩn',
      'Yêu cầu chưa đạt',
    ],
    headersEn: [
      'Teacher',
      'Full name',
      'Levels taught',
      'Mode',
      'Meets standard',
      'Failing requirement',
    ],
    rows: r.standard.map((s) => [
      s.teacherId,
      s.fullName,
      s.levels.map((l) => teachingLevelLabels[l].vi).join(', '),
      teachingModeLabels[s.mode as keyof typeof teachingModeLabels]?.vi ?? s.mode,
      s.meets ? 'Đạt' : 'Chưa đạt',
      s.failures
        .map(
          (f) =>
            `${teachingLevelLabels[f.level].vi}: ${requirementLabels[f.requirement] ?? f.requirement} (cần ${f.needed})`,
        )
        .join('; '),
    ]),
  },
  {
    key: 'trainings',
    name: 'Bồi dưỡng',
    headers: ['Chủ đề bồi dưỡng', 'Số nhà giáo cơ hữu', 'Số lượt hoàn thành'],
    headersEn: ['Topic', 'Permanent teachers', 'Completions'],
    rows: r.trainings.map((t) => [topicLabels[t.topic].vi, t.teachers, t.completions]),
  },
  {
    key: 'postgraduate',
    name: 'Đang học sau đại học',
    headers: [
      'Mã nhà giáo',
      'Họ và tên',
      'Trình độ',
      'Cơ sở đào tạo',
      'Ngày bắt đầu',
      'Dự kiến hoàn thành',
    ],
    headersEn: ['Teacher', 'Full name', 'Level', 'Institution', 'Started', 'Expected'],
    rows: r.postgraduate.map((p) => [
      p.teacherId,
      p.fullName,
      degreeLevelLabels[p.level].vi,
      p.institution,
      p.startedOn,
      p.expectedOn,
    ]),
  },
  {
    key: 'funding',
    name: 'Kinh phí',
    headers: ['Nguồn kinh phí', 'Số tiền (đồng)', 'Số khoản', 'Chương trình'],
    headersEn: ['Source', 'Amount (VND)', 'Fundings', 'Programmes'],
    rows: r.funding.map((f) => [
      fundingSourceLabels[f.source] ?? f.source,
      f.amountVnd,
      f.fundings,
      f.programmes.join(', '),
    ]),
  },
];

/** The metadata sheet: what the figures are, as of when, as known when, against which checkpoint. */
export const metadataSheet = (r: AnnualReport): Sheet => ({
  key: 'metadata',
  name: 'Thông tin',
  headers: ['Mục', 'Giá trị'],
  headersEn: ['Field', 'Value'],
  rows: [
    ['Kế hoạch / plan', `${r.plan.code} — ${r.plan.titleVi}`],
    ['Đơn vị / unit', `${r.unit.unitId} — ${r.unit.name}`],
    ['Loại đơn vị / unit kind', unitKindLabels[r.unit.kind].vi],
    ['Địa bàn / area', r.unit.area],
    ['Năm báo cáo / year', r.year],
    ['Số liệu tại ngày / as of', r.asOf],
    ['Hạn nộp / due on', r.dueOn],
    ['Tính từ ngày / counted from', r.countFrom],
    ['Theo dữ liệu đến vị trí / known at position', r.knownAt],
    ['Thời điểm lập / generated at', r.generatedAt],
    ['Điểm kiểm tra đã ký / signed checkpoint', r.checkpoint],
  ],
});
