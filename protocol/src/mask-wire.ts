// Mask messages (proto/sparsefleet/v1/mask.proto) over the byte codec of ./mask-codec.ts: one layer's LayerMask in
// full or as a change (whichever is smaller), its reconstruction with checksum verification, and the encoded
// MaskUpdate / MaskSnapshot bodies cut into chunks of at most 1 MiB. Browser-safe; messages are built literally.
import { LayerMaskForm, type LayerMask, type MaskSnapshot, type MaskUpdate, type MaskUpdateChunk } from '../../generated/proto/wire-types.js';
import { cutIntoBodyChunks } from './body-chunks.js';
import { decodeProto, encodeProto } from './wire.js';
import {
  MaskCodecError,
  applyMaskChange,
  countActiveBits,
  crc32,
  decodeFullMask,
  encodeBitmap,
  encodeFullMask,
  encodeMaskChange,
  maskChange,
  maskChecksum,
  type MaskBits,
} from './mask-codec.js';

/** The protocol's limit for one MaskUpdateChunk or MaskFetchResponse piece. */
export const MAX_MASK_CHUNK_BYTES = 1024 * 1024;
/** Half the limit, like checkpoints: a full 1 MiB piece plus its envelope exceeds socket.io's default frame cap. */
export const DEFAULT_MASK_CHUNK_BYTES = 512 * 1024;
/** K when a job leaves MaskReporting.full_every at 0. */
export const DEFAULT_FULL_MASK_EVERY = 10;

export interface LayerMaskInput {
  readonly name: string;
  /** Canonical [out, in, kh, kw] (a linear layer [out, in, 1, 1]). */
  readonly shape: readonly number[];
  readonly mask: MaskBits;
}

export type ReconstructionFailure = 'missing-base' | 'malformed' | 'checksum-mismatch';

/** A LayerMask that cannot be turned into the sender's mask; `reason` says whether a full mask would fix it. */
export class MaskReconstructionError extends Error {
  constructor(
    readonly layer: string,
    readonly reason: ReconstructionFailure,
    message: string,
  ) {
    super(`${layer}: ${message}`);
    this.name = 'MaskReconstructionError';
  }
}

export function isFullLayerMask(message: LayerMask): boolean {
  return message.form === LayerMaskForm.LAYER_MASK_FORM_BITMAP || message.form === LayerMaskForm.LAYER_MASK_FORM_INDICES;
}

/** The layer in full, in the smaller of bitmap and index list (`bitmap`: the mask's bitmap, if already built). */
export function fullLayerMask(layer: LayerMaskInput, bitmap = encodeBitmap(layer.mask)): LayerMask {
  const encoded = encodeFullMask(layer.mask, bitmap);
  return {
    ...layerHeader(layer, bitmap),
    form: encoded.encoding === 'bitmap' ? LayerMaskForm.LAYER_MASK_FORM_BITMAP : LayerMaskForm.LAYER_MASK_FORM_INDICES,
    data: encoded.data,
    pruned: new Uint8Array(0),
    grown: new Uint8Array(0),
  };
}

/** The change from `previous` when that is smaller than the full mask (the full mask on a tie), else the full mask. */
export function layerMaskMessage(layer: LayerMaskInput, previous: MaskBits | undefined): LayerMask {
  // Built once: its CRC-32 heads every form, and it is the full form when it is the smaller one.
  const bitmap = encodeBitmap(layer.mask);
  const full = fullLayerMask(layer, bitmap);
  if (previous === undefined || previous.length !== layer.mask.length) return full;
  const change = encodeMaskChange(maskChange(previous, layer.mask));
  if (change.pruned.length + change.grown.length >= full.data.length) return full;
  return { ...layerHeader(layer, bitmap), form: LayerMaskForm.LAYER_MASK_FORM_DELTA, data: new Uint8Array(0), pruned: change.pruned, grown: change.grown };
}

/** `bitmap`: the layer's mask as a bitmap, whose CRC-32 is the checksum. */
function layerHeader(layer: LayerMaskInput, bitmap: Uint8Array): Pick<LayerMask, 'layer' | 'shape' | 'size' | 'active' | 'checksum'> {
  const size = layer.shape.reduce((product, dim) => product * dim, 1);
  if (size !== layer.mask.length) throw new RangeError(`${layer.name}: shape [${layer.shape.join(', ')}] holds ${size} weights, the mask ${layer.mask.length}`);
  return { layer: layer.name, shape: [...layer.shape], size, active: countActiveBits(layer.mask), checksum: crc32(bitmap) };
}

/**
 * The mask a LayerMask describes: decoded when full, `previous` with the change applied when a delta. Throws
 * MaskReconstructionError: 'missing-base' (a delta without the previous mask), 'malformed' (bytes that do not
 * describe a mask of `size`, or a change that does not fit `previous`), 'checksum-mismatch' (the result is not
 * the sender's mask: its CRC-32 or active count differ).
 */
export function reconstructLayerMask(message: LayerMask, previous: MaskBits | undefined): MaskBits {
  const name = message.layer;
  const size = message.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new MaskReconstructionError(name, 'malformed', `size ${size} is not a weight count`);
  const shapeSize = message.shape.reduce((product, dim) => product * dim, 1);
  if (message.shape.length > 0 && shapeSize !== size) {
    throw new MaskReconstructionError(name, 'malformed', `shape [${message.shape.join(', ')}] holds ${shapeSize} weights, size says ${size}`);
  }
  let mask: MaskBits;
  try {
    if (message.form === LayerMaskForm.LAYER_MASK_FORM_DELTA) {
      if (previous === undefined) throw new MaskReconstructionError(name, 'missing-base', 'a change arrived without the mask it changes');
      if (previous.length !== size) throw new MaskReconstructionError(name, 'missing-base', `the previous mask has ${previous.length} weights, not ${size}`);
      mask = applyMaskChange(previous, { pruned: message.pruned, grown: message.grown });
    } else if (isFullLayerMask(message)) {
      const encoding = message.form === LayerMaskForm.LAYER_MASK_FORM_BITMAP ? 'bitmap' : 'indices';
      mask = decodeFullMask({ encoding, data: message.data }, size);
    } else {
      throw new MaskReconstructionError(name, 'malformed', `unknown form ${String(message.form)}`);
    }
  } catch (error) {
    if (error instanceof MaskCodecError) {
      // A change that does not fit is most likely a diverged base: a full mask fixes it.
      const reason = message.form === LayerMaskForm.LAYER_MASK_FORM_DELTA ? 'checksum-mismatch' : 'malformed';
      throw new MaskReconstructionError(name, reason, error.message);
    }
    throw error;
  }
  const active = countActiveBits(mask);
  const checksum = maskChecksum(mask);
  if (checksum !== message.checksum || active !== message.active) {
    throw new MaskReconstructionError(
      name,
      'checksum-mismatch',
      `rebuilt mask has CRC-32 ${hex(checksum)} and ${active} active, the sender's ${hex(message.checksum)} and ${message.active}`,
    );
  }
  return mask;
}

// --- bodies and chunks --------------------------------------------------------------------------------------------

export function encodeMaskUpdate(update: MaskUpdate): Uint8Array {
  return encodeProto('sparsefleet.v1.MaskUpdate', update);
}

/** Copies `bytes` fields out of the input (decoded views may alias it). */
export function decodeMaskUpdate(bytes: Uint8Array): MaskUpdate {
  const update = decodeProto('sparsefleet.v1.MaskUpdate', bytes);
  return { ...update, layers: update.layers.map(copyLayerBytes) };
}

export function encodeMaskSnapshot(snapshot: MaskSnapshot): Uint8Array {
  return encodeProto('sparsefleet.v1.MaskSnapshot', snapshot);
}

export function decodeMaskSnapshot(bytes: Uint8Array): MaskSnapshot {
  const snapshot = decodeProto('sparsefleet.v1.MaskSnapshot', bytes);
  return { ...snapshot, layers: snapshot.layers.map(copyLayerBytes) };
}

/** Plain, owned copies (a decoded `bytes` field may be a view of the input, or a Node Buffer when empty). */
function copyLayerBytes(layer: LayerMask): LayerMask {
  return { ...layer, data: new Uint8Array(layer.data), pruned: new Uint8Array(layer.pruned), grown: new Uint8Array(layer.grown) };
}

/** The chunks that carry one MaskUpdate of (job, attempt), each at most `chunkBytes` of its encoding. */
export function maskUpdateChunks(
  identity: { readonly jobId: string; readonly attempt: number },
  update: MaskUpdate,
  chunkBytes = DEFAULT_MASK_CHUNK_BYTES,
): MaskUpdateChunk[] {
  return cutIntoBodyChunks(encodeMaskUpdate(update), chunkBytes, MAX_MASK_CHUNK_BYTES).map((piece) => ({
    jobId: identity.jobId,
    attempt: identity.attempt,
    updateIndex: update.updateIndex,
    ...piece,
  }));
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
