import * as grpc from '@grpc/grpc-js';
import { FAILED_PRECONDITION, INVALID_ARGUMENT, newAny, sharedPb, statusPb, streamsPb, uuidToString, } from './proto.js';
const appendSize = (events) => events.reduce((n, e) => n + e.data.byteLength + e.customMetadata.byteLength, 0);
/** RpcExceptions.MaxAppendSizeExceeded of the server, for `Streams/Append`. */
const tooLargeError = (max) => {
    const metadata = new grpc.Metadata();
    metadata.set('exception', 'maximum-append-size-exceeded');
    metadata.set('maximum-append-size', String(max));
    return {
        code: grpc.status.INVALID_ARGUMENT,
        details: `Maximum Append Size of ${max} Exceeded.`,
        metadata,
    };
};
const proposedEvent = (m) => {
    const metadata = m.getMetadataMap();
    return {
        id: uuidToString(m.getId()),
        type: metadata.get('type') ?? '',
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        data: m.getData_asU8(),
        customMetadata: m.getCustomMetadata_asU8(),
    };
};
const streamName = (id) => Buffer.from(id?.getStreamName_asU8() ?? []).toString('utf8');
const describe = (e) => e.kind === 'revision' ? e.revision.toString() : e.kind === 'exists' ? 'stream_exists' : e.kind;
const trailersError = (stream, expected, current) => {
    const metadata = new grpc.Metadata();
    metadata.set('exception', 'wrong-expected-version');
    metadata.set('stream-name', stream);
    // Older servers sent expected versions as numbers: -1 no stream, -2 any, -4 stream exists.
    const numeric = expected.kind === 'revision'
        ? expected.revision.toString()
        : expected.kind === 'no-stream'
            ? '-1'
            : expected.kind === 'any'
                ? '-2'
                : '-4';
    metadata.set('expected-version', numeric);
    metadata.set('actual-version', current === null ? '-1' : current.toString());
    return {
        code: grpc.status.FAILED_PRECONDITION,
        details: `Append failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${describe(expected)}, Actual version: ${current ?? -1}`,
        metadata,
    };
};
const appendResult = (outcome, expected, ok) => {
    const resp = new streamsPb.AppendResp();
    if (ok) {
        const success = new streamsPb.AppendResp.Success();
        if (ok.currentRevision === null)
            success.setNoStream(new sharedPb.Empty());
        else
            success.setCurrentRevision(ok.currentRevision.toString());
        if (ok.position === null)
            success.setNoPosition(new sharedPb.Empty());
        else
            success.setPosition(new streamsPb.AppendResp.Position()
                .setCommitPosition(ok.position.toString())
                .setPreparePosition(ok.position.toString()));
        return resp.setSuccess(success);
    }
    const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
    if (outcome.currentRevision === null)
        wrong.setCurrentNoStream(new sharedPb.Empty());
    else
        wrong.setCurrentRevision(outcome.currentRevision.toString());
    if (expected.kind === 'revision')
        wrong.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'any')
        wrong.setExpectedAny(new sharedPb.Empty());
    else if (expected.kind === 'exists')
        wrong.setExpectedStreamExists(new sharedPb.Empty());
    else
        wrong.setExpectedNoStream(new sharedPb.Empty());
    return resp.setWrongExpectedVersion(wrong);
};
/** Streams.Append: options first, then the proposed events, one result at the end. */
export const handleAppend = (log, settings) => (call, callback) => {
    let stream = '';
    let expected = { kind: 'any' };
    const events = [];
    call.on('data', (req) => {
        const options = req.getOptions();
        if (req.hasOptions() && options) {
            stream = streamName(options.getStreamIdentifier());
            expected = options.hasRevision()
                ? { kind: 'revision', revision: BigInt(options.getRevision()) }
                : options.hasNoStream()
                    ? { kind: 'no-stream' }
                    : options.hasStreamExists()
                        ? { kind: 'exists' }
                        : { kind: 'any' };
        }
        const message = req.getProposedMessage();
        if (req.hasProposedMessage() && message)
            events.push(proposedEvent(message));
    });
    call.on('end', () => {
        if (appendSize(events) > settings.maxAppendSize) {
            callback(tooLargeError(settings.maxAppendSize));
            return;
        }
        const outcome = log().append(stream, expected, events);
        if (outcome.ok) {
            callback(null, appendResult(outcome, expected, outcome));
        }
        else if (settings.wrongExpectedVersion === 'trailers') {
            callback(trailersError(stream, expected, outcome.currentRevision));
        }
        else {
            callback(null, appendResult(outcome, expected, undefined));
        }
    });
};
/**
 * Streams.BatchAppend: a long-lived bidi call; each correlation id collects its
 * events until `is_final`, then gets one answer. The call stays open for more.
 */
export const handleBatchAppend = (log, settings) => (call) => {
    const pending = new Map();
    call.on('data', (req) => {
        const correlation = uuidToString(req.getCorrelationId());
        const options = req.getOptions();
        const entry = pending.get(correlation) ?? (options ? { options, events: [] } : undefined);
        if (!entry)
            return;
        pending.set(correlation, entry);
        entry.events.push(...req.getProposedMessagesList().map(proposedEvent));
        if (!req.getIsFinal())
            return;
        pending.delete(correlation);
        call.write(batchAnswer(log(), req, entry.options, entry.events, settings.maxAppendSize));
    });
    call.on('end', () => call.end());
};
const batchAnswer = (log, req, options, events, maxAppendSize) => {
    const stream = streamName(options.getStreamIdentifier());
    const expected = options.hasStreamPosition()
        ? { kind: 'revision', revision: BigInt(options.getStreamPosition()) }
        : options.hasNoStream()
            ? { kind: 'no-stream' }
            : options.hasStreamExists()
                ? { kind: 'exists' }
                : { kind: 'any' };
    const resp = new streamsPb.BatchAppendResp();
    const correlationId = req.getCorrelationId();
    if (correlationId)
        resp.setCorrelationId(correlationId);
    resp.setStreamIdentifier(options.getStreamIdentifier());
    // The expected position is echoed with the Empty instances the request carried.
    if (options.hasStreamPosition())
        resp.setStreamPosition(options.getStreamPosition());
    else if (options.hasNoStream())
        resp.setNoStream(options.getNoStream());
    else if (options.hasStreamExists())
        resp.setStreamExists(options.getStreamExists());
    else
        resp.setAny(options.getAny());
    if (appendSize(events) > maxAppendSize) {
        const status = new statusPb.Status();
        status.setCode(INVALID_ARGUMENT);
        status.setMessage(`Maximum Append Size of ${maxAppendSize} Exceeded.`);
        const details = newAny();
        details.pack(new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize).serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
        status.setDetails(details);
        return resp.setError(status);
    }
    const outcome = log.append(stream, expected, events);
    if (outcome.ok) {
        const success = new streamsPb.BatchAppendResp.Success();
        if (outcome.currentRevision !== null)
            success.setCurrentRevision(outcome.currentRevision.toString());
        if (outcome.position !== null) {
            success.setPosition(new sharedPb.AllStreamPosition()
                .setCommitPosition(outcome.position.toString())
                .setPreparePosition(outcome.position.toString()));
        }
        return resp.setSuccess(success);
    }
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.currentRevision !== null)
        wrong.setCurrentStreamRevision(outcome.currentRevision.toString());
    if (expected.kind === 'revision')
        wrong.setExpectedStreamPosition(expected.revision.toString());
    else if (expected.kind === 'no-stream')
        wrong.setExpectedNoStream(options.getNoStream());
    else if (expected.kind === 'exists')
        wrong.setExpectedStreamExists(options.getStreamExists());
    const details = newAny();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const status = new statusPb.Status();
    status.setCode(FAILED_PRECONDITION);
    status.setMessage(`WrongExpectedVersion: stream ${stream}, expected ${describe(expected)}`);
    status.setDetails(details);
    return resp.setError(status);
};
//# sourceMappingURL=append.js.map