/**
 * Names of the areas units are registered in, by the codes the registers
 * send (`bk.*`: Bắc Kạn's districts before 1 July 2025; `tn.*`: the communes
 * and wards of Thái Nguyên after the 2025 reorganisation). The API carries
 * codes only; a code not listed here is shown as sent.
 */
const AREAS: Readonly<Record<string, string>> = {
  'bk.tp-bac-kan': 'Thành phố Bắc Kạn',
  'bk.ba-be': 'Huyện Ba Bể',
  'bk.bach-thong': 'Huyện Bạch Thông',
  'bk.cho-don': 'Huyện Chợ Đồn',
  'bk.cho-moi': 'Huyện Chợ Mới',
  'bk.na-ri': 'Huyện Na Rì',
  'bk.ngan-son': 'Huyện Ngân Sơn',
  'bk.pac-nam': 'Huyện Pác Nặm',
  'tn.phuong-bac-kan': 'Phường Bắc Kạn',
  'tn.phuong-duc-xuan': 'Phường Đức Xuân',
  'tn.xa-cho-ra': 'Xã Chợ Rã',
  'tn.xa-phu-thong': 'Xã Phủ Thông',
  'tn.xa-bang-lung': 'Xã Bằng Lũng',
  'tn.xa-cho-moi': 'Xã Chợ Mới',
  'tn.xa-na-ri': 'Xã Na Rì',
  'tn.xa-na-phac': 'Xã Nà Phặc',
  'tn.xa-boc-bo': 'Xã Bộc Bố',
};
const PROVINCES: Readonly<Record<string, string>> = { bk: 'Bắc Kạn', tn: 'Thái Nguyên' };

/** "Xã Chợ Mới (Thái Nguyên)" for `tn.xa-cho-moi`; an unknown code as it is. */
export const areaName = (code: string): string => {
  const name = AREAS[code];
  if (name === undefined) return code;
  const province = PROVINCES[code.slice(0, code.indexOf('.'))];
  return province === undefined ? name : `${name} (${province})`;
};
