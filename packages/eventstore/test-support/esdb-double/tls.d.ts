export interface SelfSignedTls {
    readonly key: string;
    readonly cert: string;
    /** The certificate as a file, for the client's `tlsCAFile`. */
    readonly caFile: string;
    /** Removes the files. */
    cleanup(): void;
}
/** A throwaway self-signed certificate for 127.0.0.1 (openssl), valid one day. */
export declare const selfSignedTls: () => SelfSignedTls;
/** The connection string of a double served with TLS, with `user:password@` or none. */
export declare const secureUrl: (port: number, caFile: string, credentials?: string) => string;
//# sourceMappingURL=tls.d.ts.map