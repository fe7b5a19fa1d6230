/**
 * The protocol definitions, taken from the copy of `@eventstore/db-client` the
 * adapter uses: its generated serializers check `instanceof`, so messages must
 * come from the very same modules. Default imports, because these CommonJS
 * modules publish their classes in a way only `module.exports` exposes under ESM.
 */
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import gossipPb from '@eventstore/db-client/generated/gossip_pb.js';
import gossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
export { sharedPb, streamsPb, streamsGrpc, statusPb, featuresPb, featuresGrpc, gossipPb, gossipGrpc, };
/** google.rpc.Code FAILED_PRECONDITION, what the server puts on a wrong-expected-version batch. */
export const FAILED_PRECONDITION = 9;
/** google.rpc.Code INVALID_ARGUMENT, on a batch over the append size limit. */
export const INVALID_ARGUMENT = 3;
/**
 * An empty `google.protobuf.Any` of the client's own google-protobuf copy, got by
 * decoding a Status whose `details` (field 3) is present and empty: the package
 * is not a dependency of ours, so it cannot be imported by name.
 */
export const newAny = () => {
    const details = statusPb.Status.deserializeBinary(Uint8Array.of(0x1a, 0x00)).getDetails();
    if (!details)
        throw new Error('google.rpc.Status did not decode its details');
    return details;
};
export const uuidToString = (uuid) => {
    if (!uuid)
        return '';
    if (uuid.hasStructured()) {
        const s = uuid.getStructured();
        const msb = BigInt.asUintN(64, BigInt(s?.getMostSignificantBits() ?? '0'));
        const lsb = BigInt.asUintN(64, BigInt(s?.getLeastSignificantBits() ?? '0'));
        const hex = ((msb << 64n) | lsb).toString(16).padStart(32, '0');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    return uuid.getString();
};
export const uuidFromString = (id, structured) => {
    const uuid = new sharedPb.UUID();
    if (!structured)
        return uuid.setString(id);
    const hex = id.replaceAll('-', '');
    const s = new sharedPb.UUID.Structured();
    s.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
    s.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
    return uuid.setStructured(s);
};
//# sourceMappingURL=proto.js.map