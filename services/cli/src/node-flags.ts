/**
 * The V8 flags `pnpm nhagiao` starts the command with (the root package.json's
 * `nhagiao` script; a test keeps the two the same): those of a replay, defined
 * once beside the replay workers that are forked with them (see there why).
 * The benchmarks run the command's code with them too, so they measure what a
 * user runs. The installed `nhagiao` (the package's `bin`) starts without them:
 * a replay of 100,000 events or more runs in worker processes, which have them.
 */
export { REPLAY_NODE_FLAGS as CLI_NODE_FLAGS } from '@nhagiao/projector/node-flags';
