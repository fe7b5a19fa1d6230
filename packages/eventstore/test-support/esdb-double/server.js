import * as grpc from '@grpc/grpc-js';
import { handleAppend, handleBatchAppend } from './append.js';
import { checkGate } from './gate.js';
import { DoubleLog } from './log.js';
import { featuresGrpc, featuresPb, gossipGrpc, gossipPb, sharedPb, streamsGrpc } from './proto.js';
import { handleRead } from './read.js';
const SYSTEM_STREAM = '$settings';
const systemEvent = (type, body) => ({
    id: crypto.randomUUID(),
    type,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(body)),
    customMetadata: new Uint8Array(),
});
const supportedMethods = (batchAppend) => {
    const methods = [
        ['event_store.client.streams.streams', 'read'],
        ['event_store.client.streams.streams', 'append'],
        ...(batchAppend ? [['event_store.client.streams.streams', 'batchappend']] : []),
        ['event_store.client.server_features.serverfeatures', 'getsupportedmethods'],
    ];
    return new featuresPb.SupportedMethods()
        .setEventStoreServerVersion('24.10.0')
        .setMethodsList(methods.map(([service = '', method = '']) => new featuresPb.SupportedMethod().setServiceName(service).setMethodName(method)));
};
const clusterInfo = (members) => new gossipPb.ClusterInfo().setMembersList(members.map((m) => new gossipPb.MemberInfo()
    .setInstanceId(new sharedPb.UUID().setString(`00000000-0000-4000-8000-${String(m.port).padStart(12, '0')}`))
    .setTimeStamp(String(Date.now()))
    .setState(m.leader
    ? gossipPb.MemberInfo.VNodeState.LEADER
    : gossipPb.MemberInfo.VNodeState.FOLLOWER)
    .setIsAlive(m.alive)
    .setHttpEndPoint(new gossipPb.EndPoint().setAddress('127.0.0.1').setPort(m.port))));
const unimplemented = (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not served by the protocol double' });
/**
 * Starts an in-memory server speaking EventStoreDB's gRPC protocol for the
 * calls the adapter makes. A test tool, not a store: nothing is written to disk.
 */
export const startEsdbDouble = async (options = {}) => {
    const log = options.log ?? new DoubleLog(options.startPosition ?? 1048576n);
    const systemEvents = options.systemEvents ?? true;
    if (systemEvents)
        log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
    const live = {
        calls: new Set(),
        starts: [],
        served: { allEventsSent: 0, skippedByFilter: 0, slowDropped: 0 },
    };
    const readSettings = {
        checkpointBase: options.checkpointBase ?? 32,
        readBatchSize: options.readBatchSize ?? 20,
        subscriberBuffer: options.subscriberBuffer ?? 10_000,
        streamNotFound: options.streamNotFound ?? 'message',
    };
    const appendSettings = {
        wrongExpectedVersion: options.wrongExpectedVersion ?? 'result',
        maxAppendSize: options.maxAppendSize ?? 1_048_576,
    };
    const gate = { auth: options.auth, leader: undefined };
    /** Streams handlers that first check who asks and whether this node leads. */
    const gatedStream = (handler) => (call) => {
        const refused = checkGate(gate, call.metadata);
        if (refused)
            call.emit('error', refused);
        else
            handler(call);
    };
    const gatedAppend = (handler) => (call, cb) => {
        const refused = checkGate(gate, call.metadata);
        if (refused)
            cb(refused);
        else
            handler(call, cb);
    };
    let port = options.port ?? 0;
    const credentials = options.tls
        ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }], false)
        : grpc.ServerCredentials.createInsecure();
    let server;
    const start = async () => {
        if (server)
            return;
        const s = new grpc.Server();
        s.addService(streamsGrpc.StreamsService, {
            read: gatedStream(handleRead(() => log, live, readSettings)),
            append: gatedAppend(handleAppend(() => log, appendSettings)),
            batchAppend: gatedStream(handleBatchAppend(() => log, appendSettings)),
            delete: unimplemented,
            tombstone: unimplemented,
        });
        s.addService(gossipGrpc.GossipService, {
            read: (_call, callback) => {
                const members = options.gossip?.() ?? [
                    { port, leader: gate.leader === undefined, alive: true },
                ];
                callback(null, clusterInfo(members));
            },
        });
        s.addService(featuresGrpc.ServerFeaturesService, {
            getSupportedMethods: (_call, callback) => {
                if (options.serverFeatures === false) {
                    callback({ code: grpc.status.UNIMPLEMENTED, details: 'ServerFeatures' });
                }
                else {
                    callback(null, supportedMethods(options.batchAppend ?? true));
                }
            },
        });
        port = await new Promise((resolve, reject) => s.bindAsync(`127.0.0.1:${port}`, credentials, (err, bound) => err ? reject(err) : resolve(bound)));
        server = s;
    };
    const dropSubscriptions = (how = 'error') => {
        const calls = [...live.calls];
        live.calls.clear();
        for (const call of calls) {
            if (how === 'end')
                call.end();
            else
                call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped' });
        }
        return calls.length;
    };
    const stop = async () => {
        const s = server;
        if (!s)
            return;
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
            if (systemEvents)
                log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
        },
        restart: async () => {
            await stop();
            await start();
            if (systemEvents)
                log.append(SYSTEM_STREAM, { kind: 'any' }, [systemEvent('$settings', {})]);
        },
    };
};
//# sourceMappingURL=server.js.map