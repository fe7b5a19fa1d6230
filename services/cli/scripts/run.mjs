// @ts-check
/**
 * `pnpm nhagiao …`: runs the built command (`dist/nhagiao.js`), building it
 * first when there is no build or a source file changed since (about a
 * second), so the command run from a checkout is always its current code.
 */
import { build, isStale } from './build.mjs';

if (isStale()) await build();
await import('../dist/nhagiao.js');
