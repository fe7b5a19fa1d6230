import { createHash } from 'node:crypto';

/** The namespace of every id nhagiao derives from a spreadsheet row (a fixed random UUID). */
export const SHEETS_NAMESPACE = '6b1e3c52-8f0d-4a57-9c1e-2d7f4e9a0b36';

const nsBytes = Buffer.from(SHEETS_NAMESPACE.replace(/-/g, ''), 'hex');

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 of the namespace and the
 * name, with the version and variant bits set. The same name always gives the
 * same id, so a row imported twice produces the same event id twice.
 */
export const uuidV5 = (name: string): string => {
  const hash = createHash('sha1').update(nsBytes).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
