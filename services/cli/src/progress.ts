/**
 * Progress for a person on stderr: rewritten in place on a terminal, one line per
 * update otherwise (logs, CI), never on stdout.
 */
export class Progress {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #started = performance.now();
  #lastLine = 0;
  #shown = false;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  update(label: string, done: number): void {
    const now = performance.now();
    const tty = this.#stream.isTTY === true;
    // A terminal line is redrawn at most 5 times a second; a log gets every update
    // (callers report every few thousand items, so a million-event import writes ~100 lines).
    if (tty && now - this.#lastLine < 200) return;
    this.#lastLine = now;
    const rate = Math.round(done / ((now - this.#started) / 1000));
    const text = `${label}: ${count(done)} (${count(rate)}/s)`;
    if (tty) {
      this.#stream.write(`\r${text}\u001b[K`);
      this.#shown = true;
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.#shown) this.#stream.write('\r\u001b[K');
    this.#shown = false;
  }
}

/** One number format on every progress and summary line: 1,665 (the lines' words are English). */
export const count = (n: number): string => n.toLocaleString('en-US');

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const perSecond = (n: number, ms: number): string =>
  ms > 0 ? count(Math.round(n / (ms / 1000))) : '—';
