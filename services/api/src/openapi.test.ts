import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CENTRE_A, envelope, setupEvents } from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

describe('the OpenAPI document', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let dir: string;

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-openapi-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents a report as the key sends it: a sign-off whose figures the server computes', async () => {
    const doc = (await http({ url: '/v1/openapi.json' })).json<{
      components: { schemas: Record<string, { required?: string[]; properties?: object }> };
    }>();
    const signOff = doc.components.schemas['AnnualReportSignOff'];
    expect(signOff).toBeDefined();
    const data = (signOff?.properties as { data: { required: string[] } }).data;
    expect(data.required).toEqual(expect.arrayContaining(['unitId', 'year']));
    expect(data.required).not.toContain('values');
    expect(data.required).not.toContain('submittedOn');
  });

  it('is a valid OpenAPI 3.1 document, served without a key', async () => {
    const res = await http({ url: '/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/indicators',
        '/v1/teachers/{id}',
        '/v1/status',
        '/v1/reports',
        '/v1/reports/{unitId}/{year}.{format}',
        '/v1/pipeline',
      ]),
    );
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, res.body);
    const cli = path.join(
      packageDir('@seriousme/openapi-schema-validator'),
      'bin',
      'validate-api-cli.js',
    );
    const out = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ valid: true });
  });

  it('types a generated client that the real responses satisfy', async () => {
    const admin = stack.keys.create({ role: 'admin' }).secret;
    const integrator = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
    const posted = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: JSON.stringify(setupEvents()),
    });
    expect(posted.statusCode).toBe(200);
    const forbidden = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(integrator), 'content-type': 'application/json' },
      payload: JSON.stringify(
        envelope('TeacherEnrolled', {
          teacherId: 'gv-b-1',
          programmeId: 'cds-2025',
          enrolledOn: '2025-03-01',
        }),
      ),
    });
    expect(forbidden.statusCode).toBe(403);
    await http({
      method: 'POST',
      url: '/v1/events?partial=true',
      headers: { ...auth(integrator), 'content-type': 'application/json' },
      payload: '[{"id": 1}]',
    });

    // [path, method, status, response]
    const samples: [string, 'get' | 'post', number, string][] = [
      ['/v1/events', 'post', 200, posted.body],
      ['/v1/events', 'post', 403, forbidden.body],
    ];
    const gets: [string, string, string][] = [
      ['/v1/indicators', '/v1/indicators?asOf=2025-12-31&by=unit', admin],
      [
        '/v1/indicators/{code}/explain',
        '/v1/indicators/master-or-above/explain?asOf=2025-12-31',
        admin,
      ],
      ['/v1/indicators/{code}/history', '/v1/indicators/master-or-above/history', admin],
      ['/v1/teachers/{id}', '/v1/teachers/gv-college-1', admin],
      ['/v1/teachers/{id}/events', '/v1/teachers/gv-college-1/events', admin],
      ['/v1/units', '/v1/units', admin],
      ['/v1/plans/{planId}', '/v1/plans/bac-kan-423-2024', admin],
      ['/v1/quarantine', '/v1/quarantine', integrator],
      ['/v1/status', '/v1/status', admin],
      ['/v1/reports', '/v1/reports?year=2025', admin],
      ['/v1/pipeline', '/v1/pipeline?asOf=2025-06-30', admin],
    ];
    for (const [route, url, secret] of gets) {
      const res = await http({ url, headers: auth(secret) });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      samples.push([route, 'get', 200, res.body]);
    }
    const notFound = await http({ url: '/v1/plans/none', headers: auth(admin) });
    samples.push(['/v1/plans/{planId}', 'get', 404, notFound.body]);

    const doc = await http({ url: '/v1/openapi.json' });
    writeFileSync(path.join(dir, 'openapi.json'), doc.body);
    const generator = path.join(packageDir('openapi-typescript'), 'bin', 'cli.js');
    execFileSync(
      process.execPath,
      [generator, path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.d.ts')],
      {
        stdio: 'pipe',
      },
    );
    const check = [
      "import type { paths } from './api.js';",
      'type Body<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {',
      "  responses: { [K in S]: { content: { 'application/json': infer T } } };",
      '} ? T : never;',
      ...samples.map(
        ([route, method, status, body], i) =>
          `export const r${i}: Body<${JSON.stringify(route)}, '${method}', ${status}> = ${body};`,
      ),
      // The generated types are precise, not `any`: a wrong shape does not compile.
      '// @ts-expect-error figures must be a list',
      "export const wrong: Body<'/v1/indicators', 'get', 200> = { plan: 'p', asOf: 'd', knownAt: null, by: 'unit', figures: 'x' };",
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'check.ts'), check);
    const tsc = path.join(packageDir('typescript'), 'bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--exactOptionalPropertyTypes',
      '--module',
      'nodenext',
      '--target',
      'es2022',
    ];
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, ...args, path.join(dir, 'check.ts')], {
        encoding: 'utf8',
        cwd: dir,
      });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });
});
