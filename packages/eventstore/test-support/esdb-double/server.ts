import * as grpc from '@grpc/grpc-js';
import { type AppendSettings, handleAppend, handleBatchAppend } from './append.js';
import { type Gate, checkGate } from './gate.js';
import { DoubleLog } from './log.js';
import { featuresGrpc, featuresPb, gossipGrpc, gossipPb, sharedPb, streamsGrpc } from './proto.js';
import { type LiveSubscriptions, type ReadSettings, handleRead } from './read.js';

export interface EsdbDoubleOptions {
  /** Port to listen on; 0 (default) picks a free one, kept across restarts. */
  readonly port?: number;
  /** Where the log begins; real positions are byte offsets, so the first user event is far from 0. */
  readonly startPosition?: bigint;
  /** Advertise `Streams/BatchAppend` in ServerFeatures (default true); false makes the client use `Append`. */
  readonly batchAppend?: boolean;
  /** Answer ServerFeatures at all (default true); false answers UNIMPLEMENTED, as servers before 21.10. */
  readonly serverFeatures?: boolean;
  /** Write system events (`$`-prefixed streams and types) into `$all`, as a real server does (default true). */
  readonly systemEvents?: boolean;
  readonly checkpointBase?: number;
  /** Messages a live subscription may have waiting before it is dropped as too slow (default 10,000). */
  readonly subscriberBuffer?: number;
  /** Records per page of a filtered catch-up (default 20): checkpoints fall on page starts. */
  readonly readBatchSize?: number;
  readonly streamNotFound?: ReadSettings['streamNotFound'];
  readonly wrongExpectedVersion?: AppendSettings['wrongExpectedVersion'];
  /** Bytes of event data and metadata one append may carry (the server's MaxAppendSize, default 1 MiB). */
  readonly maxAppendSize?: number;
  /** `user:password`: every Streams call must carry these credentials (anonymous access off, as since 23.10). */
  readonly auth?: string;
  /** PEM key and certificate to serve TLS with; credentials only travel over TLS. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** The log to serve, shared by the nodes of a cluster (see cluster.ts); a new one by default. */
  readonly log?: DoubleLog;
  /** What `Gossip/Read` answers: the cluster's members; by default this node alone, as leader. */
  readonly gossip?: () => readonly GossipMember[];
}

/** A member as gossip describes it to clients. */
export interface GossipMember {
  readonly port: number;
  readonly leader: boolean;
  readonly alive: boolean;
}

export interface EsdbDouble {
  /** Connection string for `@eventstore/db-client`: `esdb://127.0.0.1:<port>?tls=false`. */
  readonly url: string;
  readonly port: number;
  /** Everything written, system events included, in log order. */
  readonly log: DoubleLog;
  /** Where each `$all` subscription asked to start, in the order they came: a position (exclusive), or start/end. */
  readonly subscriptionStarts: ReadonlyArray<bigint | 'start' | 'end'>;
  /**
   * Counts of `$all` reads and subscriptions: events sent to clients, and events
   * a server-side filter skipped (never sent), so a test can prove the server
   * filtered; and of stream reads, so a test can bound how often a client reads.
   */
  readonly served: {
    readonly allEventsSent: number;
    readonly skippedByFilter: number;
    /** Live subscriptions dropped because their subscriber was too slow. */
    readonly slowDropped: number;
    /** Reads of one stream (a page each, as the client pages), not subscriptions. */
    readonly streamReads: number;
  };
  /** Fails every live subscription (UNAVAILABLE), or ends it cleanly with `how: 'end'`. Returns how many. */
  dropSubscriptions(how?: 'error' | 'end'): number;
  /** Stops listening; live calls fail. The data stays. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same data. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** From now on answer not-leader, naming the leader at 127.0.0.1:port; undefined serves again. */
  followLeader(port: number | undefined): void;
}

const SYSTEM_STREAM = '$settings';
const systemEvent = (type: string, body: object) => ({
  id: crypto.randomUUID(),
  type,
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(body)),
  customMetadata: new Uint8Array(),
});

const supportedMethods = (batchAppend: boolean) => {
  const methods = [
    ['event_store.client.streams.streams', 'read'],
    ['event_store.client.streams.streams', 'append'],
    ...(batchAppend ? [['event_store.client.streams.streams', 'batchappend']] : []),
    ['event_store.client.server_features.serverfeatures', 'getsupportedmethods'],
  ];
  return new featuresPb.SupportedMethods()
    .setEventStoreServerVersion('24.10.0')
    .setMethodsList(
      methods.map(([service = '', method = '']) =>
        new featuresPb.SupportedMethod().setServiceName(service).setMethodName(method),
      ),
    );
};

const clusterInfo = (members: readonly GossipMember[]) =>
  new gossipPb.ClusterInfo().setMembersList(
    members.map((m) =>
      new gossipPb.MemberInfo()
        .setInstanceId(
          new sharedPb.UUID().setString(
            `00000000-0000-4000-8000-${String(m.port).padStart(12, '0')}`,
          ),
        )
        .setTimeStamp(String(Date.now()))
        .setState(
          m.leader
            ? gossipPb.MemberInfo.VNodeState.LEADER
            : gossipPb.MemberInfo.VNodeState.FOLLOWER,
        )
        .setIsAlive(m.alive)
        .setHttpEndPoint(new gossipPb.EndPoint().setAddress('127.0.0.1').setPort(m.port)),
    ),
  );

const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: 'not served by the protocol double' });

/**
 * Starts an in-memory server speaking EventStoreDB's gRPC protocol for the
 * calls the adapter makes. A test tool, not a store: nothing is written to disk.
 */
export const startEsdbDouble = async (options: EsdbDoubleOptions = {}): Promise<EsdbDouble> => {
  const log = options.log ?? new DoubleLog(options.startPosition ?? 1_048_576n);
  const systemEvents = options.systemEvents ?? true;
  if (systemEvents) log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
  const live: LiveSubscriptions = {
    calls: new Set(),
    starts: [],
    served: { allEventsSent: 0, skippedByFilter: 0, slowDropped: 0, streamReads: 0 },
  };
  const readSettings: ReadSettings = {
    checkpointBase: options.checkpointBase ?? 32,
    readBatchSize: options.readBatchSize ?? 20,
    subscriberBuffer: options.subscriberBuffer ?? 10_000,
    streamNotFound: options.streamNotFound ?? 'message',
  };
  const appendSettings: AppendSettings = {
    wrongExpectedVersion: options.wrongExpectedVersion ?? 'result',
    maxAppendSize: options.maxAppendSize ?? 1_048_576,
  };
  const gate: Gate = { auth: options.auth, leader: undefined };
  /** Streams handlers that first check who asks and whether this node leads. */
  const gatedStream =
    <C extends { readonly metadata: grpc.Metadata; emit(event: 'error', e: unknown): boolean }>(
      handler: (call: C) => void,
    ): grpc.handleServerStreamingCall<never, never> & grpc.handleBidiStreamingCall<never, never> =>
    (call) => {
      const refused = checkGate(gate, call.metadata);
      if (refused) call.emit('error', refused);
      else handler(call as unknown as C);
    };
  const gatedAppend =
    <Req, Resp>(
      handler: (call: grpc.ServerReadableStream<Req, Resp>, cb: grpc.sendUnaryData<Resp>) => void,
    ) =>
    (call: grpc.ServerReadableStream<Req, Resp>, cb: grpc.sendUnaryData<Resp>) => {
      const refused = checkGate(gate, call.metadata);
      if (refused) cb(refused);
      else handler(call, cb);
    };
  let port = options.port ?? 0;
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  let server: grpc.Server | undefined;

  const start = async (): Promise<void> => {
    if (server) return;
    const s = new grpc.Server();
    s.addService(streamsGrpc.StreamsService, {
      read: gatedStream(handleRead(() => log, live, readSettings)),
      append: gatedAppend(handleAppend(() => log, appendSettings)),
      batchAppend: gatedStream(handleBatchAppend(() => log, appendSettings)),
      delete: unimplemented,
      tombstone: unimplemented,
    });
    s.addService(gossipGrpc.GossipService, {
      read: (
        _call: grpc.ServerUnaryCall<InstanceType<typeof sharedPb.Empty>, unknown>,
        callback: grpc.sendUnaryData<InstanceType<typeof gossipPb.ClusterInfo>>,
      ) => {
        const members = options.gossip?.() ?? [
          { port, leader: gate.leader === undefined, alive: true },
        ];
        callback(null, clusterInfo(members));
      },
    });
    s.addService(featuresGrpc.ServerFeaturesService, {
      getSupportedMethods: (
        _call: grpc.ServerUnaryCall<InstanceType<typeof sharedPb.Empty>, unknown>,
        callback: grpc.sendUnaryData<InstanceType<typeof featuresPb.SupportedMethods>>,
      ) => {
        if (options.serverFeatures === false) {
          callback({ code: grpc.status.UNIMPLEMENTED, details: 'ServerFeatures' });
        } else {
          callback(null, supportedMethods(options.batchAppend ?? true));
        }
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      s.bindAsync(`127.0.0.1:${port}`, credentials, (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    server = s;
  };

  const dropSubscriptions = (how: 'error' | 'end' = 'error'): number => {
    const calls = [...live.calls];
    live.calls.clear();
    for (const call of calls) {
      if (how === 'end') call.end();
      else call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped' });
    }
    return calls.length;
  };

  const stop = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    dropSubscriptions('error');
    s.forceShutdown();
  };

  await start();
  return {
    get url() {
      return options.tls
        ? `esdb://127.0.0.1:${port}?tls=true`
        : `esdb://127.0.0.1:${port}?tls=false`;
    },
    get port() {
      return port;
    },
    log,
    subscriptionStarts: live.starts,
    served: live.served,
    dropSubscriptions,
    followLeader: (leaderPort) => {
      gate.leader = leaderPort === undefined ? undefined : { host: '127.0.0.1', port: leaderPort };
    },
    stop,
    start: async () => {
      await start();
      // A restarted node writes to its own system streams, as a real one does.
      if (systemEvents) log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
    },
    restart: async () => {
      await stop();
      await start();
      if (systemEvents) log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
    },
  };
};
