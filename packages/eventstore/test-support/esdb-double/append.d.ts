import * as grpc from '@grpc/grpc-js';
import type { DoubleLog } from './log.js';
import { type AppendReq, type AppendResp, type BatchAppendReq, type BatchAppendResp } from './proto.js';
export interface AppendSettings {
    /**
     * How a legacy `Append` reports a wrong expected version: in its result
     * message (servers since 20.6), or as an error with trailers (older servers).
     */
    readonly wrongExpectedVersion: 'result' | 'trailers';
    /** Bytes of data and custom metadata one append may carry; over it the whole append is refused. */
    readonly maxAppendSize: number;
}
/** Streams.Append: options first, then the proposed events, one result at the end. */
export declare const handleAppend: (log: () => DoubleLog, settings: AppendSettings) => (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => void;
/**
 * Streams.BatchAppend: a long-lived bidi call; each correlation id collects its
 * events until `is_final`, then gets one answer. The call stays open for more.
 */
export declare const handleBatchAppend: (log: () => DoubleLog, settings: AppendSettings) => (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => void;
//# sourceMappingURL=append.d.ts.map