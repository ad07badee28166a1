/**
 * Sparse autoencoders on a residual stream: parameters, encoding (ReLU, TopK, Gated) and
 * decoding, exactly as models/tiny-lm-saes/ trains them. Activations are rows of d_in floats;
 * codes are kept sparse (most features are zero on most tokens). No DOM, no model.
 */
import type { SaeEntry } from './sae-index';

export type SaeKind = 'relu' | 'topk' | 'gated';

export interface Sae {
  readonly id: string;
  readonly label: string;
  readonly kind: SaeKind;
  readonly dIn: number;
  readonly dSae: number;
  /** TopK: features kept per token. */
  readonly k?: number;
  /** [d_in, d_sae], row-major. */
  readonly W_enc: Float32Array;
  readonly b_enc: Float32Array;
  /** [d_sae, d_in], row-major: row f is feature f's direction in the stream. */
  readonly W_dec: Float32Array;
  readonly b_dec: Float32Array;
  /** Gated: the magnitude path's encoder, W_enc scaled column-wise by exp(r_mag). */
  readonly W_mag?: Float32Array;
  readonly b_mag?: Float32Array;
}

/** Codes of many rows in compressed-row form: row r's features are index[rowStart[r]..rowStart[r+1]). */
export interface SparseCodes {
  readonly rows: number;
  readonly dSae: number;
  readonly rowStart: Uint32Array;
  readonly index: Uint32Array;
  readonly value: Float32Array;
}

function tensorOf(entry: SaeEntry, bytes: Uint8Array, name: string, shape: number[]): Float32Array {
  const found = entry.tensors.find((t) => t.name === name);
  if (!found) throw new Error(`${entry.file} has no tensor ${name}`);
  if (found.shape.join() !== shape.join()) {
    throw new Error(`${entry.file}: ${name} is [${found.shape}], expected [${shape}]`);
  }
  const length = shape.reduce((a, b) => a * b, 1);
  if (found.offset % 4 !== 0 || found.offset + 4 * length > bytes.byteLength) {
    throw new Error(`${entry.file}: ${name} lies outside the file`);
  }
  // Copy out (the bytes may not be 4-byte aligned, and the file is little-endian float32).
  const view = new DataView(bytes.buffer, bytes.byteOffset + found.offset, 4 * length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** The SAE described by a saes.json entry, read from its .bin file. */
export function saeFromBytes(entry: SaeEntry, dIn: number, bytes: Uint8Array): Sae {
  const s = entry.d_sae;
  const base = {
    id: entry.id,
    label: entry.label,
    kind: entry.kind,
    dIn,
    dSae: s,
    W_enc: tensorOf(entry, bytes, 'W_enc', [dIn, s]),
    b_enc: tensorOf(entry, bytes, 'b_enc', [s]),
    W_dec: tensorOf(entry, bytes, 'W_dec', [s, dIn]),
    b_dec: tensorOf(entry, bytes, 'b_dec', [dIn]),
  };
  if (entry.kind === 'topk') return { ...base, k: entry.k! };
  if (entry.kind === 'gated') {
    const rMag = tensorOf(entry, bytes, 'r_mag', [s]);
    const W_mag = new Float32Array(base.W_enc.length);
    for (let i = 0; i < dIn; i++) {
      for (let j = 0; j < s; j++) W_mag[i * s + j] = base.W_enc[i * s + j]! * Math.exp(rMag[j]!);
    }
    return { ...base, W_mag, b_mag: tensorOf(entry, bytes, 'b_mag', [s]) };
  }
  return base;
}

/** out = (x − b_dec) W + b for one row (x at `offset` in `xs`). */
function affine(
  xs: Float32Array,
  offset: number,
  bDec: Float32Array,
  W: Float32Array,
  b: Float32Array,
  out: Float32Array,
): void {
  out.set(b);
  const s = b.length;
  for (let i = 0; i < bDec.length; i++) {
    const xi = xs[offset + i]! - bDec[i]!;
    if (xi === 0) continue;
    const rowStart = i * s;
    for (let j = 0; j < s; j++) out[j]! += xi * W[rowStart + j]!;
  }
}

/** Indices of the k largest entries of `z` (ties → lower index), in increasing index order. */
export function topKIndices(z: Float32Array, k: number): number[] {
  // A min-heap of the best k so far; its root is the weakest kept entry.
  const heap: number[] = [];
  const weaker = (a: number, b: number) => z[a]! < z[b]! || (z[a] === z[b] && a > b);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let least = at;
      if (l < heap.length && weaker(heap[l]!, heap[least]!)) least = l;
      if (r < heap.length && weaker(heap[r]!, heap[least]!)) least = r;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least]!, heap[at]!];
      at = least;
    }
  };
  for (let j = 0; j < z.length; j++) {
    if (heap.length < k) {
      heap.push(j);
      for (let at = heap.length - 1; at > 0;) {
        const parent = (at - 1) >> 1;
        if (!weaker(heap[at]!, heap[parent]!)) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
    } else if (weaker(heap[0]!, j)) {
      heap[0] = j;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => a - b);
}

/**
 * Encodes `rows` activations (row-major [rows, d_in]) into sparse feature activations.
 * ReLU: f = ReLU((x − b_dec) W_enc + b_enc). TopK: keep the k largest pre-activations, then ReLU.
 * Gated: f = 1[(x − b_dec) W_enc + b_enc > 0] · ReLU((x − b_dec) W_mag + b_mag).
 */
export function encode(sae: Sae, xs: Float32Array, rows: number): SparseCodes {
  if (xs.length !== rows * sae.dIn) {
    throw new Error(`expected ${rows} × ${sae.dIn} activations, got ${xs.length} numbers`);
  }
  const pre = new Float32Array(sae.dSae);
  const mag = sae.kind === 'gated' ? new Float32Array(sae.dSae) : null;
  const rowStart = new Uint32Array(rows + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let r = 0; r < rows; r++) {
    const offset = r * sae.dIn;
    affine(xs, offset, sae.b_dec, sae.W_enc, sae.b_enc, pre);
    if (sae.kind === 'relu') {
      for (let j = 0; j < sae.dSae; j++) {
        if (pre[j]! > 0) {
          index.push(j);
          value.push(pre[j]!);
        }
      }
    } else if (sae.kind === 'topk') {
      for (const j of topKIndices(pre, sae.k!)) {
        if (pre[j]! > 0) {
          index.push(j);
          value.push(pre[j]!);
        }
      }
    } else {
      affine(xs, offset, sae.b_dec, sae.W_mag!, sae.b_mag!, mag!);
      for (let j = 0; j < sae.dSae; j++) {
        if (pre[j]! > 0 && mag![j]! > 0) {
          index.push(j);
          value.push(mag![j]!);
        }
      }
    }
    rowStart[r + 1] = index.length;
  }
  return {
    rows,
    dSae: sae.dSae,
    rowStart,
    index: Uint32Array.from(index),
    value: Float32Array.from(value),
  };
}

/** Reconstructions x̂ = f W_dec + b_dec, row-major [rows, d_in]. */
export function decode(sae: Sae, codes: SparseCodes): Float32Array {
  const d = sae.dIn;
  const out = new Float32Array(codes.rows * d);
  for (let r = 0; r < codes.rows; r++) {
    const o = r * d;
    out.set(sae.b_dec, o);
    for (let n = codes.rowStart[r]!; n < codes.rowStart[r + 1]!; n++) {
      const f = codes.index[n]!;
      const a = codes.value[n]!;
      const rowStart = f * d;
      for (let i = 0; i < d; i++) out[o + i]! += a * sae.W_dec[rowStart + i]!;
    }
  }
  return out;
}

/** Number of active features in each row. */
export function activeCounts(codes: SparseCodes): Uint32Array {
  const counts = new Uint32Array(codes.rows);
  for (let r = 0; r < codes.rows; r++) counts[r] = codes.rowStart[r + 1]! - codes.rowStart[r]!;
  return counts;
}

/** How many rows each feature is active on. */
export function firingCounts(codes: SparseCodes): Uint32Array {
  const counts = new Uint32Array(codes.dSae);
  for (const f of codes.index) counts[f]!++;
  return counts;
}

/** Feature f's direction in the stream (a row of W_dec). */
export function decoderDirection(sae: Sae, feature: number): Float32Array {
  return sae.W_dec.slice(feature * sae.dIn, (feature + 1) * sae.dIn);
}
