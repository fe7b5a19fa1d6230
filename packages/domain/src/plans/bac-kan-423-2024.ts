import { planSchema } from './schema.js';

const countFrom = '2024-01-01';

/**
 * Kế hoạch 423/KH-UBND (20/6/2024) of Bắc Kạn: targets of section II.2, titles
 * worded as in the plan. Only data here; the schema checks it when loaded.
 */
export const bacKan423of2024 = planSchema.parse({
  code: 'bac-kan-423-2024',
  title: {
    vi: 'Kế hoạch đào tạo, bồi dưỡng đội ngũ nhà giáo giáo dục nghề nghiệp trên địa bàn tỉnh Bắc Kạn giai đoạn 2024-2025, định hướng đến năm 2030',
    en: 'Plan for training and developing vocational-education teachers in Bắc Kạn province, 2024-2025, with orientation to 2030',
  },
  legalSource: {
    documentNumber: '423/KH-UBND',
    date: '2024-06-20',
    issuer: 'UBND tỉnh Bắc Kạn',
    implements: '05/2024/TT-BLĐTBXH',
  },
  countFrom,
  reportDue: { month: 8, day: 25 },
  indicators: [
    {
      code: 'master-or-above',
      title: {
        vi: 'Nhà giáo đạt trình độ thạc sỹ trở lên',
        en: "Teachers holding a master's degree or above",
      },
      shortTitle: { vi: 'Thạc sỹ trở lên', en: "Master's or above" },
      rule: { kind: 'master-or-above' },
      targets: { '2025': 0.43, '2030': 0.44 },
    },
    {
      code: 'college-lecturers-qualified',
      title: {
        vi: 'Giảng viên Trường Cao đẳng Bắc Kạn được đào tạo đạt chuẩn về trình độ theo quy định',
        en: 'Lecturers of Bắc Kạn College meeting the qualification standard',
      },
      shortTitle: { vi: 'Giảng viên cao đẳng đạt chuẩn', en: 'College lecturers qualified' },
      rule: { kind: 'meets-standard', standardVersion: '05/2024', unitKind: 'college' },
      // The plan sets no 2030 target for this indicator.
      targets: { '2025': 1 },
    },
    {
      code: 'trained-curriculum-outcomes',
      title: {
        vi: 'Nhà giáo được bồi dưỡng nâng cao năng lực phát triển chương trình đào tạo theo chuẩn đầu ra',
        en: 'Teachers trained in developing outcome-based curricula',
      },
      shortTitle: {
        vi: 'Bồi dưỡng chương trình theo chuẩn đầu ra',
        en: 'Trained: outcome-based curricula',
      },
      rule: { kind: 'trained', topic: 'curriculum-outcomes', countFrom },
      targets: { '2025': 0.5, '2030': 0.6 },
    },
    {
      code: 'trained-quality-accreditation',
      title: {
        vi: 'Nhà giáo được bồi dưỡng năng lực kiểm định chất lượng giáo dục nghề nghiệp',
        en: 'Teachers trained in VET quality accreditation',
      },
      shortTitle: { vi: 'Bồi dưỡng kiểm định chất lượng', en: 'Trained: quality accreditation' },
      rule: { kind: 'trained', topic: 'quality-accreditation', countFrom },
      targets: { '2025': 0.5, '2030': 0.6 },
    },
    {
      code: 'trained-digital-materials',
      title: {
        vi: 'Nhà giáo được bồi dưỡng năng lực xây dựng và sử dụng học liệu, bài giảng số',
        en: 'Teachers trained in building and using digital learning materials and lectures',
      },
      shortTitle: { vi: 'Bồi dưỡng học liệu, bài giảng số', en: 'Trained: digital materials' },
      rule: { kind: 'trained', topic: 'digital-materials', countFrom },
      targets: { '2025': 0.5, '2030': 0.6 },
    },
    {
      code: 'trained-digital-transformation',
      title: {
        vi: 'Nhà giáo được bồi dưỡng năng lực về chuyển đổi số và ứng dụng công nghệ thông tin trong giáo dục nghề nghiệp, phương pháp giảng dạy',
        en: 'Teachers trained in digital transformation and the use of IT in VET and teaching methods',
      },
      shortTitle: { vi: 'Bồi dưỡng chuyển đổi số, CNTT', en: 'Trained: digital transformation' },
      rule: { kind: 'trained', topic: 'digital-transformation', countFrom },
      targets: { '2025': 0.7, '2030': 0.8 },
    },
  ],
});
