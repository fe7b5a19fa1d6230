/**
 * The baseline a benchmark compares the adapter with: every record of `$all`
 * read with `@eventstore/db-client` alone, in one read, as a client that wants
 * it all would. Here, beside the double, so a bench outside this package need
 * not depend on the client.
 */
export declare const rawReadAll: (url: string) => Promise<{
    records: number;
    ms: number;
}>;
//# sourceMappingURL=raw.d.ts.map