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
  leader: { readonly host: string; readonly port: number } | undefined;
}

export interface GateError {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;
}

const trailers = (entries: Record<string, string>): grpc.Metadata => {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) metadata.set(k, v);
  return metadata;
};

/**
 * A failed Basic authentication is UNAUTHENTICATED; no credentials at all, where
 * anonymous access is off, is PERMISSION_DENIED with `exception: access-denied`
 * (RpcExceptions.AccessDenied). Not-leader is NOT_FOUND with `exception:
 * not-leader` and the leader's endpoint (RpcExceptions.LeaderInfo), sent only
 * when the client asked for the leader (`requires-leader: true`).
 */
export const checkGate = (gate: Gate, metadata: grpc.Metadata): GateError | undefined => {
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
