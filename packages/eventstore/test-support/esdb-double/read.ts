import * as grpc from '@grpc/grpc-js';
import type { DoubleLog, LoggedEvent } from './log.js';
import { type ReadReq, type ReadResp, sharedPb, streamsPb, uuidFromString } from './proto.js';

export interface ReadSettings {
  /** Events examined between two checkpoints of a filtered subscription, per unit of the client's multiplier. */
  readonly checkpointBase: number;
  /**
   * Messages a live subscription may have waiting to be sent (the client not
   * reading: a slow subscriber); past it the subscription is dropped
   * (UNAVAILABLE), as a server bounds its subscription buffers.
   */
  readonly subscriberBuffer: number;
  /** Records a filtered catch-up reads per page; its checkpoints fall on page starts. */
  readonly readBatchSize: number;
  /** How a read of a missing stream answers: a `stream_not_found` message, or NOT_FOUND with trailers (older servers). */
  readonly streamNotFound: 'message' | 'trailers';
}

type Call = grpc.ServerWritableStream<ReadReq, ReadResp>;
type Options = NonNullable<ReturnType<ReadReq['getOptions']>>;

const FORWARDS = 0;

/** Live subscriptions, so the double can drop them on request, and where each `$all` one started. */
export interface LiveSubscriptions {
  readonly calls: Set<Call>;
  readonly starts: Array<bigint | 'start' | 'end'>;
  /**
   * What `$all` reads and subscriptions did (events sent, and events their
   * filter skipped on the server), and how many reads of one stream were asked.
   */
  readonly served: {
    allEventsSent: number;
    skippedByFilter: number;
    slowDropped: number;
    streamReads: number;
  };
}

const recorded = (event: LoggedEvent, structured: boolean) => {
  const r = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  r.setId(uuidFromString(event.id, structured));
  r.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.stream)));
  r.setStreamRevision(event.revision.toString());
  r.setCommitPosition(event.position.toString());
  r.setPreparePosition(event.position.toString());
  r.getMetadataMap().set('type', event.type);
  r.getMetadataMap().set('content-type', event.contentType);
  r.getMetadataMap().set('created', event.created);
  r.setCustomMetadata(event.customMetadata);
  r.setData(event.data);
  return r;
};

const eventResp = (event: LoggedEvent, structured: boolean, fromAll: boolean): ReadResp => {
  const e = new streamsPb.ReadResp.ReadEvent();
  e.setEvent(recorded(event, structured));
  if (fromAll) e.setCommitPosition(event.position.toString());
  else e.setNoPosition(new sharedPb.Empty());
  return new streamsPb.ReadResp().setEvent(e);
};

const checkpointResp = (position: bigint): ReadResp =>
  new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint()
      .setCommitPosition(position.toString())
      .setPreparePosition(position.toString()),
  );

/** The server-side filter of a `$all` read: on stream name or event type, by regex or prefixes. */
const filterOf = (options: Options): ((e: LoggedEvent) => boolean) => {
  const filter = options.getFilter();
  if (!options.hasFilter() || !filter) return () => true;
  const onStream = filter.hasStreamIdentifier();
  const expr = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  const prefixes = expr?.getPrefixList() ?? [];
  const regex = expr?.getRegex() ? new RegExp(expr.getRegex()) : undefined;
  return (e) => {
    const subject = onStream ? e.stream : e.type;
    if (prefixes.length > 0) return prefixes.some((p) => subject.startsWith(p));
    return regex ? regex.test(subject) : true;
  };
};

const notFound = (call: Call, stream: string, settings: ReadSettings): void => {
  if (settings.streamNotFound === 'message') {
    call.write(
      new streamsPb.ReadResp().setStreamNotFound(
        new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(
          new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)),
        ),
      ),
    );
    call.end();
    return;
  }
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'stream-not-found');
  metadata.set('stream-name', stream);
  // A server stream is failed through its 'error' event; destroy() leaves the client waiting.
  call.emit('error', {
    code: grpc.status.NOT_FOUND,
    details: `Event stream '${stream}' is not found.`,
    metadata,
  });
};

/** Streams.Read: stream reads, `$all` reads, and subscriptions to either. */
export const handleRead =
  (log: () => DoubleLog, live: LiveSubscriptions, settings: ReadSettings) =>
  (call: Call): void => {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'options are required' });
      return;
    }
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const from = options.getAll();
    const at = from?.hasPosition() ? BigInt(from.getPosition()?.getCommitPosition() ?? '0') : null;
    if (at !== null && !log().isRecordStart(at)) {
      // A position inside a record is refused; the server cannot read from there either.
      call.emit('error', {
        code: grpc.status.INVALID_ARGUMENT,
        details: `Invalid position: no record starts at ${at}`,
      });
      return;
    }
    if (options.hasSubscription()) subscribe(call, options, log(), live, structured, settings);
    else if (options.hasAll()) readAll(call, options, log(), structured, live.served);
    else readStream(call, options, log(), structured, settings, live.served);
  };

const limitOf = (options: Options): number => {
  const count = BigInt(options.getCount() || '0');
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
};

const readAll = (
  call: Call,
  options: Options,
  log: DoubleLog,
  structured: boolean,
  served: LiveSubscriptions['served'],
): void => {
  const all = options.getAll();
  const forwards = options.getReadDirection() === FORWARDS;
  const at = all?.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : null;
  const keep = filterOf(options);
  const events = log.events;
  // Forwards from a position includes the event at it; backwards from it excludes it.
  let index: number;
  let step: number;
  if (forwards) {
    step = 1;
    index = all?.hasEnd() ? events.length : at === null ? 0 : log.indexFrom(at, true);
  } else {
    step = -1;
    index = all?.hasStart() ? -1 : at === null ? events.length - 1 : log.indexFrom(at, true) - 1;
  }
  let sent = 0;
  const limit = limitOf(options);
  for (; index >= 0 && index < events.length && sent < limit; index += step) {
    const e = events[index] as LoggedEvent;
    if (!keep(e)) {
      served.skippedByFilter += 1;
      continue;
    }
    call.write(eventResp(e, structured, true));
    served.allEventsSent += 1;
    sent += 1;
  }
  call.end();
};

const readStream = (
  call: Call,
  options: Options,
  log: DoubleLog,
  structured: boolean,
  settings: ReadSettings,
  served: LiveSubscriptions['served'],
): void => {
  const so = options.getStream();
  const name = Buffer.from(so?.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
  served.streamReads += 1;
  const events = log.stream(name);
  if (!events) {
    notFound(call, name, settings);
    return;
  }
  const forwards = options.getReadDirection() === FORWARDS;
  const from = so?.hasRevision() ? BigInt(so.getRevision()) : null;
  let selected = events.filter((e) =>
    from === null ? true : forwards ? e.revision >= from : e.revision <= from,
  );
  if (forwards && so?.hasEnd()) selected = [];
  if (!forwards) selected = [...selected].reverse();
  for (const e of selected.slice(0, limitOf(options))) call.write(eventResp(e, structured, false));
  call.end();
};

const startAt = (all: NonNullable<ReturnType<Options['getAll']>>): bigint =>
  BigInt(all.getPosition()?.getCommitPosition() ?? '0');

/**
 * The catch-up of a filtered `$all` subscription as the server runs it: the log
 * read in pages of `readBatchSize` records from the start position (inclusive:
 * the record there is skipped), matching events sent, and a checkpoint once
 * `interval` records have been considered. The checkpoint is the server's: the
 * last event sent, or the start of the page just read where no event of it was
 * sent, a record start that need not be an event the client saw. One more at
 * the end of catch-up.
 */
const catchUpFiltered = (
  call: Call,
  log: DoubleLog,
  settings: ReadSettings,
  interval: number,
  from: bigint | null,
  send: (e: LoggedEvent) => boolean,
): void => {
  const events = log.events;
  let checkpoint: bigint | null = from;
  let counter = 0;
  let index = from === null ? 0 : log.indexFrom(from, true);
  while (index < events.length) {
    const page = events.slice(index, index + settings.readBatchSize);
    const pageStart = (page[0] as LoggedEvent).position;
    for (const e of page) {
      if (checkpoint !== null && e.position <= checkpoint) continue;
      if (send(e)) checkpoint = e.position;
    }
    if (checkpoint === null || checkpoint < pageStart) checkpoint = pageStart;
    counter += page.length;
    index += page.length;
    if (index >= events.length) break;
    if (counter >= interval) {
      counter %= interval;
      call.write(checkpointResp(checkpoint));
    }
  }
  if (checkpoint !== null) call.write(checkpointResp(checkpoint));
};

const subscribe = (
  call: Call,
  options: Options,
  log: DoubleLog,
  live: LiveSubscriptions,
  structured: boolean,
  settings: ReadSettings,
): void => {
  const fromAll = options.hasAll();
  const all = options.getAll();
  const so = options.getStream();
  const streamName = fromAll
    ? ''
    : Buffer.from(so?.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
  const keep = fromAll ? filterOf(options) : (e: LoggedEvent) => e.stream === streamName;
  const filtered = fromAll && options.hasFilter();
  const interval =
    settings.checkpointBase *
    Math.max(1, options.getFilter()?.getCheckpointintervalmultiplier() ?? 1);

  // A subscription starts strictly after the position (or revision) it is given.
  const after = (e: LoggedEvent): boolean => {
    if (fromAll) {
      if (all?.hasEnd()) return false;
      if (all?.hasPosition())
        return e.position > BigInt(all.getPosition()?.getCommitPosition() ?? '0');
      return true;
    }
    if (so?.hasEnd()) return false;
    if (so?.hasRevision()) return e.revision > BigInt(so.getRevision());
    return true;
  };

  if (fromAll) {
    live.starts.push(
      all?.hasPosition()
        ? BigInt(all.getPosition()?.getCommitPosition() ?? '0')
        : all?.hasEnd()
          ? 'end'
          : 'start',
    );
  }
  call.write(
    new streamsPb.ReadResp().setConfirmation(
      new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()),
    ),
  );
  const send = (e: LoggedEvent): boolean => {
    if (keep(e)) {
      call.write(eventResp(e, structured, fromAll));
      if (fromAll) live.served.allEventsSent += 1;
      return true;
    }
    if (filtered) live.served.skippedByFilter += 1;
    return false;
  };
  // Live: a checkpoint every `interval` events examined, at the last one examined.
  let unlisten: () => unknown = () => undefined;
  const stop = (): void => {
    unlisten();
    live.calls.delete(call);
  };
  let examined = 0;
  let dropped = false;
  const offer = (e: LoggedEvent): void => {
    if (dropped) return;
    if (call.writableLength > settings.subscriberBuffer) {
      // A slow subscriber: its buffer is full, so it is dropped, not waited for.
      dropped = true;
      live.served.slowDropped += 1;
      stop();
      call.emit('error', {
        code: grpc.status.UNAVAILABLE,
        details: `subscription dropped: the subscriber is too slow (${call.writableLength} messages waiting)`,
      });
      return;
    }
    send(e);
    if (!filtered) return;
    examined += 1;
    if (examined % interval === 0) call.write(checkpointResp(e.position));
  };
  // Catch-up and the switch to live happen in one turn of the event loop, so no
  // append can fall between them.
  const startedLive = all?.hasEnd() || so?.hasEnd();
  if (!startedLive && filtered) {
    catchUpFiltered(call, log, settings, interval, all?.hasPosition() ? startAt(all) : null, send);
  } else if (!startedLive) {
    const from = fromAll && all?.hasPosition() ? log.indexFrom(startAt(all), false) : 0;
    for (const e of log.events.slice(from)) if (after(e)) send(e);
  }
  call.write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
  unlisten = log.onAppend(offer);
  live.calls.add(call);
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
  call.on('finish', stop);
};
