import type { Envelope } from '@nhagiao/domain';
import { ConcurrencyError, IdConflictError } from '../errors.js';
import type { EventStore } from '../port.js';
import { completions, readOurs, registered, sent, uniqueTeacherId } from './fixtures.js';

const streamFor = (teacherId: string): string => `teacher-${teacherId}`;

export const appendCases = (store: () => EventStore): void => {
  describe('expected revision', () => {
    it('appends a new stream with no-stream, numbering revisions from 0', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t), ...completions(t, 2)];
      const result = await store().append(streamFor(t), events, 'no-stream');
      expect(result.stream).toBe(streamFor(t));
      expect(result.outcomes.map((o) => [o.id, o.status, o.revision])).toEqual(
        events.map((e, i) => [e.id, 'appended', BigInt(i)]),
      );
      expect(result.nextExpected).toBe(2n);
      const read = [];
      for await (const e of store().readStream(streamFor(t))) read.push(e);
      expect(read.map(sent)).toEqual(events.map(sent));
      expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(read.map((e) => e.position)).toEqual(result.outcomes.map((o) => o.position));
    });

    it('rejects no-stream on an existing stream with the actual revision, writing nothing', async () => {
      const t = uniqueTeacherId();
      await store().append(streamFor(t), [registered(t)], 'no-stream');
      const late = completions(t, 1);
      const error = await store()
        .append(streamFor(t), late, 'no-stream')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream: streamFor(t), expected: 'no-stream', actual: 0n });
      expect((await readOurs(store(), [streamFor(t)])).map((e) => e.id)).not.toContain(late[0]?.id);
    });

    it('rejects exists on a missing stream (actual null) and accepts it once the stream exists', async () => {
      const t = uniqueTeacherId();
      const error = await store()
        .append(streamFor(t), [registered(t)], 'exists')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ expected: 'exists', actual: null });
      await store().append(streamFor(t), [registered(t)], 'no-stream');
      const ok = await store().append(streamFor(t), completions(t, 1), 'exists');
      expect(ok.nextExpected).toBe(1n);
    });

    it('accepts the exact current revision and rejects a stale one, reporting the actual', async () => {
      const t = uniqueTeacherId();
      const first = await store().append(streamFor(t), [registered(t)], 'no-stream');
      const second = await store().append(streamFor(t), completions(t, 2), first.nextExpected);
      expect(second.nextExpected).toBe(2n);
      const stale = completions(t, 1);
      const error = await store()
        .append(streamFor(t), stale, first.nextExpected)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream: streamFor(t), expected: 0n, actual: 2n });
      const ids = (await readOurs(store(), [streamFor(t)])).map((e) => e.id);
      expect(ids).toHaveLength(3);
      expect(ids).not.toContain(stale[0]?.id);
    });

    it('appends with any whatever the stream state', async () => {
      const t = uniqueTeacherId();
      await store().append(streamFor(t), [registered(t)], 'any');
      const r = await store().append(streamFor(t), completions(t, 1), 'any');
      expect(r.nextExpected).toBe(1n);
    });

    it('lets exactly one of two writers racing on the same revision win', async () => {
      const t = uniqueTeacherId();
      const first = await store().append(streamFor(t), [registered(t)], 'no-stream');
      const settled = await Promise.allSettled([
        store().append(streamFor(t), completions(t, 1), first.nextExpected),
        store().append(streamFor(t), completions(t, 1), first.nextExpected),
      ]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      const rejected = settled.find((s) => s.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(ConcurrencyError);
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(2);
    });
  });

  describe('idempotency by event id', () => {
    it('reports the same events sent again as duplicates at their original position', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t), ...completions(t, 2)];
      const first = await store().append(streamFor(t), events, 'no-stream');
      const again = await store().append(streamFor(t), events, 'any');
      expect(again.outcomes).toEqual(
        first.outcomes.map((o) => ({ ...o, status: 'duplicate' as const })),
      );
      expect(again.nextExpected).toBe(first.nextExpected);
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(3);
    });

    it('accepts a retry with its original expected revision after the stream moved on', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t)];
      const first = await store().append(streamFor(t), events, 'no-stream');
      await store().append(streamFor(t), completions(t, 2), 'exists');
      const retry = await store().append(streamFor(t), events, 'no-stream');
      expect(retry.outcomes).toEqual([{ ...first.outcomes[0], status: 'duplicate' }]);
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(3);
    });

    it('compares data as JSON values: the same fields in another key order are a duplicate', async () => {
      const t = uniqueTeacherId();
      const original = registered(t, 'Lý Thị Mai');
      await store().append(streamFor(t), [original], 'no-stream');
      const reordered: Envelope = {
        id: original.id,
        type: 'TeacherRegistered',
        data: { fullName: 'Lý Thị Mai', teacherId: t },
      };
      const again = await store().append(streamFor(t), [reordered], 'any');
      expect(again.outcomes[0]?.status).toBe('duplicate');
    });

    it('stores the new events of a write that also repeats old ones', async () => {
      const t = uniqueTeacherId();
      const old = registered(t);
      const first = await store().append(streamFor(t), [old], 'no-stream');
      const fresh = completions(t, 1);
      const r = await store().append(streamFor(t), [old, ...fresh], 'any');
      expect(r.outcomes.map((o) => o.status)).toEqual(['duplicate', 'appended']);
      expect(r.outcomes[0]?.position).toBe(first.outcomes[0]?.position);
      expect(r.outcomes[1]?.revision).toBe(1n);
      expect((await readOurs(store(), [streamFor(t)])).map((e) => e.id)).toEqual([
        old.id,
        fresh[0]?.id,
      ]);
    });

    it('rejects an id sent again with other data or type, and writes nothing of that write', async () => {
      const t = uniqueTeacherId();
      const original = registered(t, 'Đinh Văn Ba');
      await store().append(streamFor(t), [original], 'no-stream');
      const before = completions(t, 1);
      const changed: Envelope = {
        id: original.id,
        type: 'TeacherRegistered',
        data: { teacherId: t, fullName: 'Đinh Văn Bá' },
      };
      const error = await store()
        .append(streamFor(t), [...before, changed], 'any')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdConflictError);
      expect(error).toMatchObject({ id: original.id, stream: streamFor(t) });
      const retyped = { ...completions(t, 1)[0], id: original.id } as typeof original;
      await expect(store().append(streamFor(t), [retyped], 'any')).rejects.toBeInstanceOf(
        IdConflictError,
      );
      const stored = await readOurs(store(), [streamFor(t)]);
      expect(stored.map(sent)).toEqual([sent(original)]);
    });
  });

  describe('writes whose ids the caller checked (idsChecked)', () => {
    it('appends at the checked revision, positions and revisions as any append', async () => {
      const t = uniqueTeacherId();
      const first = await store().append(streamFor(t), [registered(t)], 'no-stream');
      const more = completions(t, 3);
      const [result] = await store().appendBatch([
        { stream: streamFor(t), events: more, expected: 0n, idsChecked: true },
      ]);
      expect(result?.outcomes.map((o) => [o.id, o.status, o.revision])).toEqual(
        more.map((e, i) => [e.id, 'appended', BigInt(i + 1)]),
      );
      expect(result?.nextExpected).toBe(3n);
      const read = await readOurs(store(), [streamFor(t)]);
      expect(read.map((e) => e.position)).toEqual([
        first.outcomes[0]?.position,
        ...(result?.outcomes.map((o) => o.position) ?? []),
      ]);
    });

    it('reports the duplicates of an earlier attempt once the stream has moved on', async () => {
      const t = uniqueTeacherId();
      const [c1, c2] = completions(t, 2) as [Envelope, Envelope];
      const first = await store().append(streamFor(t), [registered(t), c1], 'no-stream');
      await store().append(streamFor(t), [c2], 'exists');
      // Checked when the stream did not exist; written meanwhile by an earlier attempt.
      const [retry] = await store().appendBatch([
        { stream: streamFor(t), events: [c1], expected: 'no-stream', idsChecked: true },
      ]);
      expect(retry?.outcomes).toEqual([{ ...first.outcomes[1], status: 'duplicate' }]);
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(3);
      // Duplicates with new events after the stream moved on: the concurrency error.
      const mixed = await store()
        .appendBatch([
          {
            stream: streamFor(t),
            events: [c1, ...completions(t, 1)],
            expected: 'no-stream',
            idsChecked: true,
          },
        ])
        .catch((e: unknown) => e);
      expect(mixed).toBeInstanceOf(ConcurrencyError);
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(3);
    });

    it('refuses an id conflict and a stale revision as any append does, writing nothing', async () => {
      const t = uniqueTeacherId();
      const reg = registered(t, 'Đinh Văn Ba');
      await store().append(streamFor(t), [reg, ...completions(t, 1)], 'no-stream');
      const changed: Envelope = {
        id: reg.id,
        type: 'TeacherRegistered',
        data: { teacherId: t, fullName: 'Đinh Văn Bá' },
      };
      const conflict = await store()
        .appendBatch([{ stream: streamFor(t), events: [changed], expected: 0n, idsChecked: true }])
        .catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(IdConflictError);
      const stale = await store()
        .appendBatch([
          { stream: streamFor(t), events: completions(t, 1), expected: 0n, idsChecked: true },
        ])
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(stale).toMatchObject({ stream: streamFor(t), expected: 0n, actual: 1n });
      expect(await readOurs(store(), [streamFor(t)])).toHaveLength(2);
    });
  });

  describe('appendBatch', () => {
    it('appends to several streams in one call, positions following the order of the writes', async () => {
      const ts = [uniqueTeacherId(), uniqueTeacherId(), uniqueTeacherId()];
      const writes = ts.map((t) => ({
        stream: streamFor(t),
        events: [registered(t), ...completions(t, 2)],
        expected: 'no-stream' as const,
      }));
      const results = await store().appendBatch(writes);
      expect(results.map((r) => r.stream)).toEqual(writes.map((w) => w.stream));
      expect(results.map((r) => r.nextExpected)).toEqual([2n, 2n, 2n]);
      const read = await readOurs(
        store(),
        writes.map((w) => w.stream),
      );
      expect(read.map((e) => e.id)).toEqual(writes.flatMap((w) => w.events.map((e) => e.id)));
    });

    it('writes nothing of an atomic batch when one of its writes fails', async () => {
      const [a, b] = [uniqueTeacherId(), uniqueTeacherId()];
      await store().append(streamFor(b), [registered(b)], 'no-stream');
      const error = await store()
        .appendBatch([
          { stream: streamFor(a), events: [registered(a)], expected: 'no-stream' },
          { stream: streamFor(b), events: completions(b, 1), expected: 'no-stream' },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      const read = await readOurs(store(), [streamFor(a), streamFor(b)]);
      // Without atomic batches only the failing write is promised to be absent.
      expect(read.filter((e) => e.stream === streamFor(b))).toHaveLength(1);
      if (store().capabilities.atomicBatches) {
        expect(read.filter((e) => e.stream === streamFor(a))).toHaveLength(0);
      }
    });

    it('takes a batch of 5,000 events and gives them back in order', async () => {
      const ts = Array.from({ length: 5 }, uniqueTeacherId);
      const writes = ts.map((t) => ({
        stream: streamFor(t),
        events: completions(t, 1000),
        expected: 'no-stream' as const,
      }));
      const results = await store().appendBatch(writes);
      expect(results.every((r) => r.nextExpected === 999n)).toBe(true);
      const read = await readOurs(
        store(),
        writes.map((w) => w.stream),
      );
      expect(read.map((e) => e.id)).toEqual(writes.flatMap((w) => w.events.map((e) => e.id)));
      const inFirstStream = read.filter((e) => e.stream === writes[0]?.stream);
      expect(inFirstStream.map((e) => e.revision)).toEqual(
        Array.from({ length: 1000 }, (_, i) => BigInt(i)),
      );
      // Five 1,000-event appends and a read of them back over gRPC: seconds alone,
      // longer beside the rest of the suite on two cores.
    }, 120_000);
  });
};
