/**
 * The V8 flags `pnpm nhagiao` starts the command with (the root package.json's
 * `nhagiao` script; a test keeps the two the same). The benchmarks run the
 * command's code with them too, so they measure what a user runs.
 *
 * Young-generation semi-spaces of 16 MB growing to 32 MB instead of V8's 1 MB
 * growing to 16 MB: a replay or a Merkle pass allocates young objects fast, and
 * the default collects them in small, frequent scavenges. Measured on 913,955
 * events: a rebuild in one process 10.6 s instead of 12.4–16.4 s; `verify`
 * 17.3–20.0 s instead of 19.7–21.9 s (its own process hashes the tree while a
 * worker replays). Commands that read little keep their start-up time.
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=32', '--min-semi-space-size=16'] as const;
