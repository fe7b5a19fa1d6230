/**
 * The V8 flags a replay runs with: the shard workers are forked with them, and
 * `pnpm nhagiao` starts the command with them (a replay of fewer events runs
 * in the command's own process, as does verify's Merkle pass).
 *
 * A replay allocates young objects fast (events, rows, strings): with V8's
 * default young generation (starting at 1 MB, growing to 16 MB semi-spaces) it
 * collects in small, frequent scavenges, and two workers' collector threads
 * crowd each other's cores. These start it at 16 MB and let it grow to 32 MB
 * (`pnpm bench embedded` and `verify` print what that was measured to save).
 * Node accepts neither flag in NODE_OPTIONS, and setting them once V8 has
 * started changes nothing.
 */
export const REPLAY_NODE_FLAGS = ['--max-semi-space-size=32', '--min-semi-space-size=16'] as const;
