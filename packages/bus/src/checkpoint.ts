import type { KV } from 'nats';

/** Where the relay records the last position JetStream has acknowledged. */
export interface CheckpointStore {
  load(): Promise<bigint | null>;
  save(position: bigint): Promise<void>;
}

/** Default key of the relay's checkpoint in its KV bucket. */
export const RELAY_CHECKPOINT_KEY = 'checkpoint';

/**
 * The relay's checkpoint as a key of a JetStream KV bucket: it lives beside the stream it
 * describes, so the relay needs no database of its own and `nhagiao status` can
 * read it from any machine that reaches NATS.
 */
export const kvCheckpointStore = (kv: KV, key: string = RELAY_CHECKPOINT_KEY): CheckpointStore => ({
  async load() {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') return null;
    const text = entry.string();
    if (!/^(0|[1-9][0-9]*)$/.test(text))
      throw new Error(`relay checkpoint ${key} holds ${JSON.stringify(text)}, not a position`);
    return BigInt(text);
  },
  async save(position) {
    await kv.put(key, position.toString());
  },
});
