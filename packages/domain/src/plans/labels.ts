import type {
  CertificateKind,
  DegreeLevel,
  Employment,
  TeachingLevel,
  TeachingMode,
  Topic,
  UnitKind,
} from '../events/vocabulary.js';
import type { Bilingual } from './schema.js';

export type Language = keyof Bilingual;

/** Labels of the closed vocabularies that every report prints, in Vietnamese and English. */
export const unitKindLabels: Readonly<Record<UnitKind, Bilingual>> = {
  college: { vi: 'Trường cao đẳng', en: 'College' },
  'vet-centre': {
    vi: 'Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên',
    en: 'Vocational and continuing education centre',
  },
  private: { vi: 'Cơ sở giáo dục nghề nghiệp tư thục', en: 'Private VET provider' },
  other: { vi: 'Đơn vị khác', en: 'Other unit' },
};

export const topicLabels: Readonly<Record<Topic, Bilingual>> = {
  'curriculum-outcomes': {
    vi: 'Phát triển chương trình đào tạo theo chuẩn đầu ra',
    en: 'Outcome-based curriculum development',
  },
  'quality-accreditation': {
    vi: 'Kiểm định chất lượng giáo dục nghề nghiệp',
    en: 'VET quality accreditation',
  },
  'digital-materials': {
    vi: 'Xây dựng và sử dụng học liệu, bài giảng số',
    en: 'Digital learning materials and lectures',
  },
  'digital-transformation': {
    vi: 'Chuyển đổi số và ứng dụng công nghệ thông tin',
    en: 'Digital transformation and IT use',
  },
  pedagogy: { vi: 'Nghiệp vụ sư phạm', en: 'Pedagogy' },
  'vocational-skills': { vi: 'Kỹ năng nghề', en: 'Vocational skills' },
  'foreign-language': { vi: 'Ngoại ngữ', en: 'Foreign language' },
  management: { vi: 'Quản lý', en: 'Management' },
  other: { vi: 'Khác', en: 'Other' },
};

export const degreeLevelLabels: Readonly<Record<DegreeLevel, Bilingual>> = {
  elementary: { vi: 'Sơ cấp', en: 'Elementary' },
  intermediate: { vi: 'Trung cấp', en: 'Intermediate' },
  college: { vi: 'Cao đẳng', en: 'College' },
  bachelor: { vi: 'Đại học', en: "Bachelor's" },
  master: { vi: 'Thạc sĩ', en: "Master's" },
  doctorate: { vi: 'Tiến sĩ', en: 'Doctorate' },
};

export const teachingLevelLabels: Readonly<Record<TeachingLevel, Bilingual>> = {
  college: { vi: 'Trình độ cao đẳng', en: 'College level' },
  intermediate: { vi: 'Trình độ trung cấp', en: 'Intermediate level' },
  elementary: { vi: 'Trình độ sơ cấp', en: 'Elementary level' },
};

export const teachingModeLabels: Readonly<Record<TeachingMode, Bilingual>> = {
  theory: { vi: 'Lý thuyết', en: 'Theory' },
  practice: { vi: 'Thực hành', en: 'Practice' },
  integrated: { vi: 'Tích hợp', en: 'Integrated' },
};

export const employmentLabels: Readonly<Record<Employment, Bilingual>> = {
  permanent: { vi: 'Cơ hữu', en: 'Permanent' },
  visiting: { vi: 'Thỉnh giảng', en: 'Visiting' },
};

export const certificateKindLabels: Readonly<Record<CertificateKind, Bilingual>> = {
  'pedagogy-elementary': {
    vi: 'Nghiệp vụ sư phạm dạy trình độ sơ cấp',
    en: 'Pedagogy for elementary level',
  },
  'pedagogy-vet': { vi: 'Nghiệp vụ sư phạm giáo dục nghề nghiệp', en: 'VET pedagogy' },
  'national-skill': { vi: 'Kỹ năng nghề quốc gia', en: 'National skill' },
  'practice-licence': { vi: 'Chứng chỉ hành nghề', en: 'Practice licence' },
  'honorary-title': { vi: 'Danh hiệu nghệ nhân', en: 'Honorary title' },
  'foreign-language': { vi: 'Ngoại ngữ', en: 'Foreign language' },
  'it-skills': { vi: 'Ứng dụng công nghệ thông tin', en: 'IT skills' },
  other: { vi: 'Khác', en: 'Other' },
};

/** The three requirements of the qualification standard. */
export const requirementLabels: Readonly<Record<'theory' | 'practice' | 'pedagogy', Bilingual>> = {
  theory: { vi: 'dạy lý thuyết', en: 'theory' },
  practice: { vi: 'dạy thực hành', en: 'practice' },
  pedagogy: { vi: 'nghiệp vụ sư phạm', en: 'pedagogy' },
};
