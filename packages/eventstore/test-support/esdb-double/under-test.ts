import { startEsdbDouble } from './server.js';

/**
 * The server a suite runs against: the one `EVENTSTORE_URL` names, or else a
 * protocol double started before the suite and stopped after it. Call inside
 * a `describe`; `url()` is valid in its tests.
 */
export const esdbUnderTest = (): { readonly url: () => string; readonly real: boolean } => {
  const realServer = process.env.EVENTSTORE_URL;
  let stop: (() => Promise<void>) | undefined;
  let url = realServer ?? '';
  beforeAll(async () => {
    if (realServer) return;
    const double = await startEsdbDouble();
    url = double.url;
    stop = () => double.stop();
  });
  afterAll(async () => {
    await stop?.();
  });
  return { url: () => url, real: realServer !== undefined };
};
