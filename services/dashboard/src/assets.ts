import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

export interface Assets {
  readonly index: Asset;
  readonly script: Asset;
  readonly style: Asset;
  readonly icon: Asset;
}

/** Where the page's files live: `web` beside this module (`src/web`; in the build, `dist/web`). */
export const defaultWebRoot = (): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');

const asset = (body: Buffer, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

/**
 * Bundles the page's TypeScript for the browser, once, at start-up: every
 * script and style is served from here, nothing is fetched from elsewhere.
 */
export const buildAssets = async (webRoot: string): Promise<Assets> => {
  const result = await build({
    entryPoints: [path.join(webRoot, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari15'],
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const script = result.outputFiles[0];
  if (script === undefined) throw new Error('the dashboard bundle is empty');
  const [index, style, icon] = await Promise.all([
    readFile(path.join(webRoot, 'index.html')),
    readFile(path.join(webRoot, 'app.css')),
    readFile(path.join(webRoot, 'favicon.svg')),
  ]);
  return {
    index: asset(index, 'text/html; charset=utf-8'),
    script: asset(Buffer.from(script.contents), 'text/javascript; charset=utf-8'),
    style: asset(style, 'text/css; charset=utf-8'),
    icon: asset(icon, 'image/svg+xml'),
  };
};
