import type { TeachingLevel, TeachingMode, Topic, UnitKind } from '@nhagiao/domain';

export interface UnitSpec {
  readonly unitId: string;
  readonly name: string;
  readonly kind: UnitKind;
  readonly area: string;
  /** Share of the province's teachers working here. */
  readonly weight: number;
  readonly source: string;
}

/** Bắc Kạn's VET units before the 2025 reorganisation (areas are the districts and the city). */
export const UNITS: readonly UnitSpec[] = [
  {
    unitId: 'cdbk',
    name: 'Trường Cao đẳng Bắc Kạn',
    kind: 'college',
    area: 'bk.tp-bac-kan',
    weight: 36,
    source: 'hr.cdbk',
  },
  {
    unitId: 'gdnn-ba-be',
    name: 'Trung tâm GDNN-GDTX huyện Ba Bể',
    kind: 'vet-centre',
    area: 'bk.ba-be',
    weight: 7,
    source: 'register.gdnn-ba-be',
  },
  {
    unitId: 'gdnn-bach-thong',
    name: 'Trung tâm GDNN-GDTX huyện Bạch Thông',
    kind: 'vet-centre',
    area: 'bk.bach-thong',
    weight: 6,
    source: 'register.gdnn-bach-thong',
  },
  {
    unitId: 'gdnn-cho-don',
    name: 'Trung tâm GDNN-GDTX huyện Chợ Đồn',
    kind: 'vet-centre',
    area: 'bk.cho-don',
    weight: 7,
    source: 'register.gdnn-cho-don',
  },
  {
    unitId: 'gdnn-cho-moi',
    name: 'Trung tâm GDNN-GDTX huyện Chợ Mới',
    kind: 'vet-centre',
    area: 'bk.cho-moi',
    weight: 6,
    source: 'register.gdnn-cho-moi',
  },
  {
    unitId: 'gdnn-na-ri',
    name: 'Trung tâm GDNN-GDTX huyện Na Rì',
    kind: 'vet-centre',
    area: 'bk.na-ri',
    weight: 7,
    source: 'register.gdnn-na-ri',
  },
  {
    unitId: 'gdnn-ngan-son',
    name: 'Trung tâm GDNN-GDTX huyện Ngân Sơn',
    kind: 'vet-centre',
    area: 'bk.ngan-son',
    weight: 5,
    source: 'register.gdnn-ngan-son',
  },
  {
    unitId: 'gdnn-pac-nam',
    name: 'Trung tâm GDNN-GDTX huyện Pác Nặm',
    kind: 'vet-centre',
    area: 'bk.pac-nam',
    weight: 5,
    source: 'register.gdnn-pac-nam',
  },
  {
    unitId: 'tt-lai-xe-bk',
    name: 'Trung tâm Đào tạo và Sát hạch lái xe Bắc Kạn',
    kind: 'private',
    area: 'bk.tp-bac-kan',
    weight: 8,
    source: 'register.tt-lai-xe-bk',
  },
  {
    unitId: 'tt-nghe-thanh-cong',
    name: 'Trung tâm Dạy nghề tư thục Thành Công',
    kind: 'private',
    area: 'bk.cho-moi',
    weight: 6,
    source: 'register.tt-nghe-thanh-cong',
  },
  {
    unitId: 'tt-nghe-hoi-nong-dan',
    name: 'Trung tâm Dạy nghề và Hỗ trợ nông dân tỉnh Bắc Kạn',
    kind: 'other',
    area: 'bk.tp-bac-kan',
    weight: 7,
    source: 'register.tt-nghe-hoi-nong-dan',
  },
];

/**
 * The 2025 reorganisation (effective 1 July 2025): Bắc Kạn merges into Thái Nguyên,
 * districts are abolished (each unit's area becomes the commune or ward where it sits),
 * and two pairs of district centres merge.
 */
export const REORGANISATION_ON = '2025-07-01';
export const NEW_AREAS: Readonly<Record<string, string>> = {
  cdbk: 'tn.phuong-bac-kan',
  'gdnn-ba-be': 'tn.xa-cho-ra',
  'gdnn-bach-thong': 'tn.xa-phu-thong',
  'gdnn-cho-don': 'tn.xa-bang-lung',
  'gdnn-cho-moi': 'tn.xa-cho-moi',
  'gdnn-na-ri': 'tn.xa-na-ri',
  'gdnn-ngan-son': 'tn.xa-na-phac',
  'gdnn-pac-nam': 'tn.xa-boc-bo',
  'tt-lai-xe-bk': 'tn.phuong-duc-xuan',
  'tt-nghe-thanh-cong': 'tn.xa-cho-moi',
  'tt-nghe-hoi-nong-dan': 'tn.phuong-bac-kan',
};
export const MERGES: readonly { unitId: string; intoUnitId: string; newName: string }[] = [
  {
    unitId: 'gdnn-pac-nam',
    intoUnitId: 'gdnn-ba-be',
    newName: 'Trung tâm GDNN-GDTX khu vực Ba Bể – Pác Nặm',
  },
  {
    unitId: 'gdnn-ngan-son',
    intoUnitId: 'gdnn-na-ri',
    newName: 'Trung tâm GDNN-GDTX khu vực Na Rì – Ngân Sơn',
  },
];

export interface ProgrammeSpec {
  readonly programmeId: string;
  readonly title: string;
  readonly provider: string;
  readonly topics: readonly Topic[];
  /** Topics as corrected later, when the first registration was wrong. */
  readonly correctedTopics?: readonly Topic[];
  readonly startOn: string;
  readonly endOn: string;
  readonly hours: number;
  readonly mode: 'in-person' | 'online' | 'blended';
  /** Chance that a teacher employed at the start attends. */
  readonly uptake: number;
}

export const PROGRAMMES: readonly ProgrammeSpec[] = [
  {
    programmeId: 'bd-nvsp-2019',
    title: 'Bồi dưỡng nghiệp vụ sư phạm giáo dục nghề nghiệp',
    provider: 'Trường Đại học Sư phạm Kỹ thuật Nam Định',
    topics: ['pedagogy'],
    startOn: '2019-07-08',
    endOn: '2019-08-30',
    hours: 280,
    mode: 'in-person',
    uptake: 0.12,
  },
  {
    programmeId: 'bd-cds-2021',
    title: 'Ứng dụng công nghệ thông tin trong dạy học',
    provider: 'Tổng cục Giáo dục nghề nghiệp',
    topics: ['digital-transformation'],
    startOn: '2021-06-07',
    endOn: '2021-06-18',
    hours: 40,
    mode: 'online',
    uptake: 0.3,
  },
  {
    programmeId: 'bd-cdr-2022',
    title: 'Phát triển chương trình đào tạo theo chuẩn đầu ra',
    provider: 'Trường Cao đẳng Bắc Kạn',
    topics: ['curriculum-outcomes'],
    startOn: '2022-07-11',
    endOn: '2022-07-22',
    hours: 60,
    mode: 'in-person',
    uptake: 0.2,
  },
  {
    programmeId: 'bd-cds-2024',
    title: 'Chuyển đổi số và ứng dụng công nghệ thông tin trong giáo dục nghề nghiệp',
    provider: 'Sở Lao động - Thương binh và Xã hội Bắc Kạn',
    topics: ['digital-transformation'],
    startOn: '2024-06-17',
    endOn: '2024-06-28',
    hours: 40,
    mode: 'online',
    uptake: 0.38,
  },
  {
    programmeId: 'bd-cdr-2024',
    title: 'Phát triển chương trình đào tạo theo chuẩn đầu ra',
    provider: 'Trường Cao đẳng Bắc Kạn',
    topics: ['curriculum-outcomes'],
    startOn: '2024-08-05',
    endOn: '2024-08-16',
    hours: 60,
    mode: 'in-person',
    uptake: 0.25,
  },
  {
    programmeId: 'bd-kdcl-2024',
    title: 'Kiểm định chất lượng giáo dục nghề nghiệp',
    provider: 'Cục Kiểm định chất lượng giáo dục nghề nghiệp',
    topics: ['quality-accreditation'],
    startOn: '2024-09-09',
    endOn: '2024-09-20',
    hours: 56,
    mode: 'blended',
    uptake: 0.22,
  },
  {
    programmeId: 'bd-hls-2024',
    title: 'Xây dựng và sử dụng học liệu số, bài giảng điện tử',
    provider: 'Trường Đại học Sư phạm Kỹ thuật Hưng Yên',
    topics: ['digital-materials'],
    startOn: '2024-10-14',
    endOn: '2024-10-25',
    hours: 48,
    mode: 'blended',
    uptake: 0.25,
  },
  {
    programmeId: 'bd-kns-2024',
    title: 'Cập nhật kỹ năng nghề cho nhà giáo',
    provider: 'Trường Cao đẳng Công nghiệp Thái Nguyên',
    topics: ['vocational-skills'],
    startOn: '2024-11-04',
    endOn: '2024-11-29',
    hours: 120,
    mode: 'in-person',
    uptake: 0.15,
  },
  {
    programmeId: 'bd-cds-hls-2025',
    title: 'Chuyển đổi số và học liệu số trong giáo dục nghề nghiệp',
    provider: 'Sở Lao động - Thương binh và Xã hội Bắc Kạn',
    topics: ['digital-transformation', 'digital-materials'],
    startOn: '2025-03-10',
    endOn: '2025-03-21',
    hours: 48,
    mode: 'online',
    uptake: 0.36,
  },
  {
    programmeId: 'bd-kdcl-2025',
    title: 'Tự đánh giá và kiểm định chất lượng cơ sở giáo dục nghề nghiệp',
    provider: 'Cục Kiểm định chất lượng giáo dục nghề nghiệp',
    topics: ['quality-accreditation'],
    startOn: '2025-05-12',
    endOn: '2025-05-23',
    hours: 56,
    mode: 'blended',
    uptake: 0.28,
  },
  {
    programmeId: 'bd-cdr-2025',
    title: 'Phát triển chương trình đào tạo theo chuẩn đầu ra',
    provider: 'Trường Cao đẳng Bắc Kạn',
    topics: ['curriculum-outcomes'],
    startOn: '2025-08-04',
    endOn: '2025-08-15',
    hours: 60,
    mode: 'in-person',
    uptake: 0.27,
  },
  {
    programmeId: 'bd-ptct-2025',
    title: 'Phương pháp dạy học tích cực và thiết kế chương trình mô-đun',
    provider: 'Trường Đại học Sư phạm Thái Nguyên',
    topics: ['pedagogy'],
    correctedTopics: ['pedagogy', 'curriculum-outcomes'],
    startOn: '2025-10-06',
    endOn: '2025-10-17',
    hours: 60,
    mode: 'in-person',
    uptake: 0.15,
  },
  {
    programmeId: 'bd-nn-2025',
    title: 'Tiếng Anh cho nhà giáo giáo dục nghề nghiệp',
    provider: 'Trường Đại học Ngoại ngữ - ĐHQG Hà Nội',
    topics: ['foreign-language'],
    startOn: '2025-11-03',
    endOn: '2025-12-19',
    hours: 150,
    mode: 'blended',
    uptake: 0.08,
  },
  {
    programmeId: 'bd-cds-2026',
    title: 'Ứng dụng trí tuệ nhân tạo và chuyển đổi số trong giảng dạy',
    provider: 'Sở Giáo dục và Đào tạo Thái Nguyên',
    topics: ['digital-transformation'],
    startOn: '2026-04-06',
    endOn: '2026-04-17',
    hours: 40,
    mode: 'online',
    uptake: 0.3,
  },
  {
    programmeId: 'bd-hls-2026',
    title: 'Xây dựng học liệu số theo chuẩn',
    provider: 'Sở Giáo dục và Đào tạo Thái Nguyên',
    topics: ['digital-materials'],
    startOn: '2026-06-08',
    endOn: '2026-06-19',
    hours: 48,
    mode: 'online',
    uptake: 0.22,
  },
  {
    programmeId: 'bd-kdcl-2026',
    title: 'Kiểm định chất lượng giáo dục nghề nghiệp',
    provider: 'Cục Kiểm định chất lượng giáo dục nghề nghiệp',
    topics: ['quality-accreditation'],
    startOn: '2026-09-07',
    endOn: '2026-09-18',
    hours: 56,
    mode: 'blended',
    uptake: 0.18,
  },
  {
    programmeId: 'bd-cdr-2026',
    title: 'Phát triển chương trình đào tạo theo chuẩn đầu ra',
    provider: 'Trường Cao đẳng Bắc Kạn',
    topics: ['curriculum-outcomes'],
    startOn: '2026-11-02',
    endOn: '2026-11-20',
    hours: 60,
    mode: 'in-person',
    uptake: 0.2,
  },
];

export const FAMILY_NAMES = [
  'Nguyễn',
  'Hoàng',
  'Nông',
  'Hà',
  'Triệu',
  'Lường',
  'Ma',
  'Đặng',
  'Bế',
  'Lục',
  'Trần',
  'Lê',
  'Phạm',
  'Hứa',
  'Dương',
  'Lý',
];
export const MIDDLE_NAMES = {
  female: ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Minh', 'Hồng'],
  male: ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Thanh'],
} as const;
export const GIVEN_NAMES = {
  female: [
    'Hà',
    'Hạnh',
    'Hương',
    'Lan',
    'Linh',
    'Mai',
    'Nga',
    'Phương',
    'Thảo',
    'Trang',
    'Vân',
    'Yến',
    'Huyền',
    'Nhung',
    'Ngân',
  ],
  male: [
    'An',
    'Bình',
    'Cường',
    'Dũng',
    'Giang',
    'Hải',
    'Khánh',
    'Long',
    'Nam',
    'Quân',
    'Sơn',
    'Tuấn',
    'Thắng',
    'Việt',
    'Đạt',
  ],
} as const;
export const ETHNICITIES = [
  'Tày',
  'Tày',
  'Tày',
  'Kinh',
  'Kinh',
  'Nùng',
  'Dao',
  'H’Mông',
  'Sán Chay',
];
export const FIELDS = [
  'Công nghệ thông tin',
  'Kế toán',
  'Kỹ thuật điện',
  'Cơ khí',
  'Chăn nuôi thú y',
  'Trồng trọt',
  'Công nghệ ô tô',
  'May thời trang',
  'Quản trị kinh doanh',
  'Du lịch',
  'Lâm sinh',
  'Giáo dục học',
];
export const UNIVERSITIES = [
  'Trường Đại học Nông Lâm - ĐH Thái Nguyên',
  'Trường Đại học Kỹ thuật Công nghiệp - ĐH Thái Nguyên',
  'Trường Đại học Kinh tế và Quản trị kinh doanh - ĐH Thái Nguyên',
  'Trường Đại học Bách khoa Hà Nội',
  'Trường Đại học Sư phạm Kỹ thuật Hưng Yên',
  'Học viện Nông nghiệp Việt Nam',
];
export const TEACHER_TRAINING_UNIVERSITIES = [
  'Trường Đại học Sư phạm - ĐH Thái Nguyên',
  'Trường Đại học Sư phạm Kỹ thuật Nam Định',
  'Trường Đại học Sư phạm Kỹ thuật Vinh',
];
export const VOCATIONAL_SCHOOLS = [
  'Trường Cao đẳng Bắc Kạn',
  'Trường Cao đẳng Công nghiệp Thái Nguyên',
  'Trường Trung cấp Kinh tế - Kỹ thuật Bắc Kạn',
];

export const LEVELS_BY_KIND: Readonly<Record<UnitKind, readonly (readonly TeachingLevel[])[]>> = {
  college: [['college'], ['college'], ['college', 'intermediate'], ['intermediate']],
  'vet-centre': [['elementary'], ['elementary'], ['intermediate', 'elementary']],
  private: [['elementary'], ['elementary'], ['intermediate', 'elementary']],
  other: [['elementary']],
};
export const MODES: readonly TeachingMode[] = ['integrated', 'integrated', 'practice', 'theory'];
