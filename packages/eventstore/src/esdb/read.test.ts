import { PassThrough } from 'node:stream';
import { ReadEndedEarlyError, isTransient } from './errors.js';
import { filteredAllPages, records } from './read.js';

/** An object-mode stream like a client read: records written now, ended or not. */
const source = (items: readonly number[], end: boolean): PassThrough => {
  const stream = new PassThrough({ objectMode: true });
  for (const item of items) stream.write(item);
  if (end) stream.end();
  return stream;
};

describe('records of a client read or subscription', () => {
  it('gives every record of a read that ends, in order', async () => {
    const got: number[] = [];
    for await (const n of records<number>(source([1, 2, 3], true))) got.push(n);
    expect(got).toEqual([1, 2, 3]);
  });

  it('gives records written after it started waiting', async () => {
    const stream = source([], false);
    setTimeout(() => {
      stream.write(7);
      stream.end(8);
    }, 5);
    const got: number[] = [];
    for await (const n of records<number>(stream)) got.push(n);
    expect(got).toEqual([7, 8]);
  });

  it('closes a stream left before its end (a subscription) after `stop`, and builds no error for it', async () => {
    const stream = source([1, 2, 3], false);
    const order: string[] = [];
    stream.on('close', () => order.push('closed'));
    for await (const n of records<number>(stream, async () => {
      order.push('stopped');
    })) {
      if (n === 2) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
    // Left through its own async iterator, the stream is destroyed with an AbortError.
    expect(stream.errored).toBeNull();
    expect(order).toEqual(['stopped', 'closed']);
  });

  it("throws the stream's error, after the records before it, and closes it", async () => {
    const stream = source([1], false);
    setTimeout(() => stream.emit('error', new Error('UNAVAILABLE: server went away')), 5);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const n of records<number>(stream)) got.push(n);
      })(),
    ).rejects.toThrow('UNAVAILABLE: server went away');
    expect(got).toEqual([1]);
    expect(stream.destroyed).toBe(true);
  });

  it('fails, instead of waiting for ever, when the stream is closed before its end without an error', async () => {
    const stream = source([1], false);
    setTimeout(() => stream.destroy(), 5);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const n of records<number>(stream)) got.push(n);
      })(),
    ).rejects.toThrow('closed before its end');
    expect(got).toEqual([1]);
  });

  it('keeps an error a stream raises once it is left, instead of letting it go uncaught', async () => {
    const stream = source([1, 2], false);
    for await (const n of records<number>(stream)) if (n === 1) break;
    expect(() => stream.emit('error', new Error('late'))).not.toThrow();
  });
});

describe('filteredAllPages: a catch-up read of $all up to a position', () => {
  const event = (n: number) => ({
    event: {
      streamId: `teacher-t${n}`,
      revision: 0n,
      type: 'CourseCompleted',
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      data: { n },
      metadata: {},
      isJson: true,
      created: new Date(0),
      position: { commit: BigInt(n * 100), prepare: BigInt(n * 100) },
    },
  });
  /** A client whose subscription gives `items` and then ends or stays open. */
  const client = (items: readonly number[], end: boolean) =>
    ({
      subscribeToAll: () =>
        Object.assign(source(items.map(event) as never, end), {
          unsubscribe: async () => undefined,
        }),
    }) as never;

  it('reads up to and with the event at `until`', async () => {
    const got: bigint[] = [];
    for await (const page of filteredAllPages(client([1, 2, 3, 4], false), undefined, 300n, 2))
      got.push(...page.map((e) => e.position));
    expect(got).toEqual([100n, 200n, 300n]);
  });

  it('fails, to be read on, when the server ends it short of `until` without an error', async () => {
    const got: bigint[] = [];
    const reading = (async () => {
      for await (const page of filteredAllPages(client([1, 2], true), undefined, 300n, 10))
        got.push(...page.map((e) => e.position));
    })();
    await expect(reading).rejects.toBeInstanceOf(ReadEndedEarlyError);
    // What it gave before is given: a caller reads on after it.
    expect(got).toEqual([100n, 200n]);
    expect(isTransient(new ReadEndedEarlyError(300n))).toBe(true);
  });
});
