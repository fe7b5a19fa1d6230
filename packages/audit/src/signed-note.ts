import type { Signer, Verifier } from './signing-key.js';

const EM_DASH = '\u2014';

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** C2SP signed-note: `text` (ending in a newline), a blank line, then one `— name base64(id ‖ sig)` line. */
export const signNote = (text: string, signer: Signer): string => {
  if (!text.endsWith('\n')) throw new RangeError('note text must end with a newline');
  const sig = Buffer.concat([signer.keyId, signer.sign(Buffer.from(text, 'utf8'))]);
  return `${text}\n${EM_DASH} ${signer.name} ${sig.toString('base64')}\n`;
};

/** Splits a signed note at its last blank line; null when it is not one. */
export const parseNote = (note: string): ParsedNote | null => {
  // No ASCII control characters but newline (spec); also keeps CRLF copies honest.
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(note) || !note.endsWith('\n')) return null;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return null;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (m === null) return null;
    const bytes = Buffer.from(m[2] as string, 'base64');
    if (bytes.length < 5 || bytes.toString('base64') !== m[2]) return null;
    signatures.push({
      name: m[1] as string,
      keyId: bytes.subarray(0, 4),
      signature: bytes.subarray(4),
    });
  }
  return { text, signatures };
};

export type NoteCheck = 'verified' | 'not-signed-by-key' | 'bad-signature';

/**
 * Checks a parsed note against one trusted key. Lines from other keys are
 * ignored (spec); a line with the key's name and id that fails to verify spoils
 * the note.
 */
export const checkNote = (note: ParsedNote, verifier: Verifier): NoteCheck => {
  const mine = note.signatures.filter(
    (s) => s.name === verifier.name && s.keyId.equals(verifier.keyId),
  );
  if (mine.length === 0) return 'not-signed-by-key';
  const message = Buffer.from(note.text, 'utf8');
  return mine.every((s) => verifier.verify(message, s.signature)) ? 'verified' : 'bad-signature';
};
