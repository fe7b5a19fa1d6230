import * as grpc from '@grpc/grpc-js';
const trailers = (entries) => {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(entries))
        metadata.set(k, v);
    return metadata;
};
/**
 * A failed Basic authentication is UNAUTHENTICATED; no credentials at all, where
 * anonymous access is off, is PERMISSION_DENIED with `exception: access-denied`
 * (RpcExceptions.AccessDenied). Not-leader is NOT_FOUND with `exception:
 * not-leader` and the leader's endpoint (RpcExceptions.LeaderInfo), sent only
 * when the client asked for the leader (`requires-leader: true`).
 */
export const checkGate = (gate, metadata) => {
    if (gate.auth !== undefined) {
        const header = metadata.get('authorization')[0];
        if (header === undefined) {
            return {
                code: grpc.status.PERMISSION_DENIED,
                details: 'Access Denied',
                metadata: trailers({ exception: 'access-denied' }),
            };
        }
        const expected = `Basic ${Buffer.from(gate.auth).toString('base64')}`;
        if (String(header) !== expected) {
            return {
                code: grpc.status.UNAUTHENTICATED,
                details: 'Bad username or password',
                metadata: new grpc.Metadata(),
            };
        }
    }
    if (gate.leader && String(metadata.get('requires-leader')[0] ?? '') === 'true') {
        return {
            code: grpc.status.NOT_FOUND,
            details: 'Leader info available',
            metadata: trailers({
                exception: 'not-leader',
                'leader-endpoint-host': gate.leader.host,
                'leader-endpoint-port': String(gate.leader.port),
            }),
        };
    }
    return undefined;
};
//# sourceMappingURL=gate.js.map