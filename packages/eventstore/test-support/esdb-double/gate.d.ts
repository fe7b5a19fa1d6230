import * as grpc from '@grpc/grpc-js';
/**
 * What a node checks before it serves a Streams call, as EventStoreDB does:
 * who is asking (HTTP Basic credentials in the `authorization` header), then
 * whether this node is the leader.
 */
export interface Gate {
    /** `user:password` the node accepts; undefined: anonymous access allowed (before 23.10). */
    auth: string | undefined;
    /** Set: this node is a follower and answers not-leader, naming the leader at this address. */
    leader: {
        readonly host: string;
        readonly port: number;
    } | undefined;
}
export interface GateError {
    readonly code: grpc.status;
    readonly details: string;
    readonly metadata: grpc.Metadata;
}
/**
 * A failed Basic authentication is UNAUTHENTICATED; no credentials at all, where
 * anonymous access is off, is PERMISSION_DENIED with `exception: access-denied`
 * (RpcExceptions.AccessDenied). Not-leader is NOT_FOUND with `exception:
 * not-leader` and the leader's endpoint (RpcExceptions.LeaderInfo), sent only
 * when the client asked for the leader (`requires-leader: true`).
 */
export declare const checkGate: (gate: Gate, metadata: grpc.Metadata) => GateError | undefined;
//# sourceMappingURL=gate.d.ts.map