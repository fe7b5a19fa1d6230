import { type JetStreamManager, type NatsConnection, StorageType, connect } from 'nats';
import { BusError } from './errors.js';
import { decodeEventMessage, encodeEvent, publishEvent } from './message.js';
import { ensureEventsStream } from './stream.js';
import { EVENTS_STREAM, subjectFor } from './subjects.js';
import { readStreamTail } from './tail.js';
import {
  type TestNatsServer,
  sampleRecordedEvents,
  startNatsServer,
} from './test-support/index.js';

let server: TestNatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await nc.jetstreamManager();
});
afterAll(async () => {
  await nc.close();
  await server.stop();
});

describe('ensureEventsStream', () => {
  it('creates a file-backed stream that refuses deletes and purges', async () => {
    const info = await ensureEventsStream(jsm, { duplicateWindowMs: 60_000 });
    expect(info.config).toMatchObject({
      name: EVENTS_STREAM,
      subjects: ['nhagiao.events.>'],
      storage: StorageType.File,
      deny_delete: true,
      deny_purge: true,
      duplicate_window: 60_000_000_000,
    });
    // The server enforces them, not just the config record.
    const [event] = sampleRecordedEvents(1);
    const ack = await publishEvent(nc.jetstream(), event!);
    await expect(jsm.streams.purge(EVENTS_STREAM)).rejects.toThrow();
    await expect(jsm.streams.deleteMessage(EVENTS_STREAM, ack.seq)).rejects.toThrow();
  });

  it('accepts an existing stream with the same settings and refuses one with others', async () => {
    await expect(ensureEventsStream(jsm, { duplicateWindowMs: 60_000 })).resolves.toBeDefined();
    const error = await ensureEventsStream(jsm, { duplicateWindowMs: 5_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).code).toBe('stream-misconfigured');
    expect((error as BusError).message).toMatch(/duplicate_window is 60000 ms, not 5000 ms/);

    await jsm.streams.add({ name: 'LOOSE', subjects: ['loose.>'], storage: StorageType.Memory });
    const loose = await ensureEventsStream(jsm, { name: 'LOOSE' }).catch((e) => e);
    expect((loose as BusError).message).toMatch(/storage is memory/);
    expect((loose as BusError).message).toMatch(/deny_delete is not set/);
    expect((loose as BusError).message).toMatch(/do not include nhagiao.events.>/);
  });
});

describe('publishing and decoding', () => {
  it('subjects name the stream kind and the event type', () => {
    const [registered, completed] = sampleRecordedEvents(2);
    expect(subjectFor(registered!)).toBe('nhagiao.events.teacher.TeacherRegistered');
    expect(subjectFor({ stream: 'report-cdbk-2025', type: 'AnnualReportSubmitted' })).toBe(
      'nhagiao.events.report.AnnualReportSubmitted',
    );
    expect(encodeEvent(completed!).headers.get('Nhagiao-Position')).toBe('2');
  });

  it('drops a re-publish of the same event id inside the duplicate window', async () => {
    const js = nc.jetstream();
    const [event] = sampleRecordedEvents(1, 10n);
    const before = (await jsm.streams.info(EVENTS_STREAM)).state.messages;
    const first = await publishEvent(js, event!);
    const again = await publishEvent(js, event!);
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(before + 1);
  });

  it('decodes exactly the recorded event that was published, positions as bigint', async () => {
    const js = nc.jetstream();
    const events = sampleRecordedEvents(2, 9_007_199_254_740_993n); // beyond 2^53
    for (const event of events) {
      const ack = await publishEvent(js, event);
      const stored = await jsm.streams.getMessage(EVENTS_STREAM, { seq: ack.seq });
      const decoded = decodeEventMessage({ data: stored.data, headers: stored.header });
      expect(decoded).toEqual(event);
      expect(typeof decoded.position).toBe('bigint');
      expect(stored.subject).toBe(subjectFor(event));
      expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
    }
    const tail = await readStreamTail(jsm);
    expect(tail.position).toBe(9_007_199_254_740_994n);
  });

  it('refuses messages that are not events of contract v1', () => {
    const [event] = sampleRecordedEvents(1);
    const good = encodeEvent(event!);
    const noHeader = { data: good.payload, headers: undefined };
    expect(() => decodeEventMessage(noHeader)).toThrow(/lacks header Nhagiao-Stream/);
    const body = new TextEncoder().encode(
      JSON.stringify({ id: event!.id, type: 'TeacherRegistered', data: { teacherId: 'x' } }),
    );
    expect(() =>
      decodeEventMessage({ data: body, headers: good.headers }, { validate: true }),
    ).toThrow(/data.fullName: is required/);
    const unknownType = new TextEncoder().encode(
      JSON.stringify({ id: event!.id, type: 'TeacherPromoted', data: {} }),
    );
    expect(() => decodeEventMessage({ data: unknownType, headers: good.headers })).toThrow(
      /not an envelope/,
    );
    expect(() =>
      decodeEventMessage({ data: new TextEncoder().encode('{nope'), headers: good.headers }),
    ).toThrow(/not JSON/);
  });
});
