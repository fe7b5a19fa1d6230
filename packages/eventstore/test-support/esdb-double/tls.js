import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** A throwaway self-signed certificate for 127.0.0.1 (openssl), valid one day. */
export const selfSignedTls = () => {
    const dir = mkdtempSync(join(tmpdir(), 'nhagiao-esdb-tls-'));
    const keyFile = join(dir, 'node.key');
    const caFile = join(dir, 'ca.crt');
    execFileSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        keyFile,
        '-out',
        caFile,
    ], { stdio: 'ignore' });
    return {
        key: readFileSync(keyFile, 'utf8'),
        cert: readFileSync(caFile, 'utf8'),
        caFile,
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
};
/** The connection string of a double served with TLS, with `user:password@` or none. */
export const secureUrl = (port, caFile, credentials) => `esdb://${credentials === undefined ? '' : `${credentials}@`}127.0.0.1:${port}?tls=true&tlsCAFile=${encodeURIComponent(caFile)}`;
//# sourceMappingURL=tls.js.map