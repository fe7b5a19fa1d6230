export { canonicalJson } from './jcs.js';
export { EMPTY_ROOT, HASH_SIZE, fromHex, hashChildren, hashLeaf, sha256, toHex } from './hash.js';
export { type LeafFields, encodeLeaf, eventLeafHash, leafFields } from './leaf.js';
export { type LeafHashStore, MemoryLeafHashStore } from './leaf-hash-store.js';
export {
  NO_SALTS,
  PERSONAL_FIELDS,
  type PersonalCommitment,
  type PersonalSalts,
  SALT_BYTES,
  commitmentOf,
  redactedData,
  withoutPersonalData,
} from './personal.js';
export { MerkleTree } from './merkle-tree.js';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';
export {
  type Signer,
  type SigningKeyPair,
  type Verifier,
  generateSigningKey,
  isValidKeyName,
  parseSigningKey,
  parseVerifierKey,
} from './signing-key.js';
export {
  type Checkpoint,
  type CheckpointFailure,
  type CheckpointInput,
  type CheckpointVerdict,
  formatCheckpointText,
  parseCheckpoint,
  parseCheckpointText,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export {
  type CheckpointReport,
  type CheckpointSource,
  type CheckpointStatus,
  type LogFault,
  type LogVerificationOptions,
  type LogVerificationReport,
  LogTree,
  verifyLogAgainstCheckpoints,
  verifyLogTree,
} from './verify-log.js';
export {
  type CheckpointReason,
  LEAF_FORMAT,
  type SavedCheckpoint,
  SqliteAuditStore,
} from './sqlite-audit-store.js';
export {
  AuditLog,
  type ConsistencyEvidence,
  type InclusionEvidence,
  InconsistentTreeError,
  findLoggedEvent,
} from './audit-log.js';
export {
  MAX_ENTRY_BYTES,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TileRef,
  entryBundle,
  formatTileIndex,
  formatTilePath,
  parseEntryBundle,
  parseTilePath,
  tileBytes,
  tileInTree,
} from './tiles.js';
export {
  type ConsistencyProofJson,
  type InclusionProofJson,
  LogView,
  LogViewError,
  type PublishedTree,
} from './log-view.js';
export {
  COSIGNATURE_V1,
  type Cosignature,
  type CosignatureVerifier,
  type Cosigner,
  type CosignerKeyPair,
  cosignedMessage,
  generateCosignerKey,
  parseCosignatureVerifier,
  parseCosignerKey,
  verifyCosignatures,
} from './cosignature.js';
export {
  Witness,
  type WitnessAnswer,
  type WitnessEndpoint,
  type WitnessOutcome,
  sendToWitness,
} from './witness.js';
