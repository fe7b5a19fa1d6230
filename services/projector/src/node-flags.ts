/**
 * The V8 flags a replay runs with: the shard workers are forked with them, and
 * the `nhagiao` command starts (or restarts itself) with them for the commands
 * that replay or hash the log.
 *
 * A replay allocates young objects fast (events, rows, strings): V8's default
 * young generation (16 MB semi-spaces) then collects so often that two workers'
 * collector threads crowd each other's cores. 32 MB semi-spaces: a shard of
 * 497,000 events in 13.0 s instead of 16.5 s, beside its sibling. V8 also
 * starts the young generation at 1 MB and grows it only as it sees survivors,
 * so a short-lived shard spent its first seconds in tiny, frequent scavenges:
 * starting at 16 MB, a rebuild of 913,955 events in 2 workers took 10.0–10.3 s
 * instead of 11.1–12.7 s (four runs each, alternated). In one process, a
 * rebuild of the same events took 10.6 s instead of 12.4–16.4 s, and `verify`
 * 17.3–20.0 s instead of 19.7–21.9 s. Node accepts neither flag in
 * NODE_OPTIONS, nor does setting them once V8 has started change anything.
 */
export const REPLAY_NODE_FLAGS = ['--max-semi-space-size=32', '--min-semi-space-size=16'] as const;
