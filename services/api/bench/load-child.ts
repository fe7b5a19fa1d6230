/**
 * The load generator of the API benchmark, in its own process so that it does not
 * take the server's CPU: reads autocannon options as JSON from argv[2] (and, for
 * POSTs, request bodies one per line from the file argv[3]), prints the result as JSON.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}') as autocannon.Options;
const bodiesFile = process.argv[3];
const bodies = bodiesFile
  ? readFileSync(bodiesFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
  : [];
let next = 0;
const result = await autocannon({
  ...options,
  ...(bodies.length > 0
    ? {
        amount: bodies.length,
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++] ?? '[]' }) }],
      }
    : {}),
});
process.stdout.write(JSON.stringify(result));
