/**
 * The line bomb of the API benchmark, in its own process: POSTs a 2 MB NDJSON
 * body of a million short lines to argv[2] with the key argv[3], from argv[5]
 * connections at once, again and again for argv[4] ms; prints how many were
 * answered, by status, as JSON.
 */
import http from 'node:http';

const [url = '', secret = '', durationArg = '5000', connectionsArg = '2'] = process.argv.slice(2);
const bomb = Buffer.from('x\n'.repeat(1_000_000));
const until = Date.now() + Number(durationArg);
const statuses: Record<string, number> = {};

const once = (): Promise<void> =>
  new Promise((resolve) => {
    let settled = false;
    const settle = (status: string): void => {
      if (settled) return;
      settled = true;
      statuses[status] = (statuses[status] ?? 0) + 1;
      resolve();
    };
    const request = http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/x-ndjson',
        'content-length': String(bomb.length),
      },
    });
    request.on('response', (response) => {
      response.resume();
      settle(String(response.statusCode));
    });
    // The server may close the connection before the body is all sent: its answer came first.
    request.on('error', (e: NodeJS.ErrnoException) => settle(e.code ?? 'error'));
    request.end(bomb);
  });

await Promise.all(
  Array.from({ length: Number(connectionsArg) }, async () => {
    while (Date.now() < until) await once();
  }),
);
process.stdout.write(JSON.stringify(statuses));
