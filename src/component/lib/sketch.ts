// Unique-visitor sketches stored in Convex documents as bytes (v.bytes()).
//
// SPEC §5: visitors over any range are exact below 1,000 and within 2 % above that in at
// least 95 % of ranges. A sketch is therefore exact (a sorted set of 53-bit hashes) while
// small, and a HyperLogLog (p = 14, standard error 0.81 %, so 2 % is ~2.5 σ) once it holds
// more than SPARSE_LIMIT hashes. A union of sparse sketches is exact whatever its size; a
// dense one only appears when one bucket alone has more than SPARSE_LIMIT visitors.

/** Largest exact set; above it a sketch turns into a HyperLogLog. */
export const SPARSE_LIMIT = 1_024;
export const HLL_PRECISION = 14;
const REGISTERS = 1 << HLL_PRECISION;
const SPARSE = 1;
const DENSE = 2;
const HASH_BITS = 53;

// A hand-written hash: it must be synchronous and run in Convex's runtime and browsers
// alike (no Node crypto, no WASM), and its output is persisted, so it must never change.
function murmur3(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[whole + 2] << 16;
    if (tail >= 2) k ^= bytes[whole + 1] << 8;
    k ^= bytes[whole];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** A stable, well-mixed 53-bit hash of a string (two independent 32-bit lanes). */
export function hashId(id: string): number {
  const bytes = encoder.encode(id);
  const high = murmur3(bytes, 0x9747b28c) & 0x1fffff; // 21 bits
  const low = murmur3(bytes, 0x5bd1e995); // 32 bits
  return high * 2 ** 32 + low;
}

function readHeader(sketch: ArrayBuffer): number {
  if (!(sketch instanceof ArrayBuffer) || sketch.byteLength < 1) throw new Error("sketch: not a sketch (empty buffer)");
  const kind = new Uint8Array(sketch)[0];
  if (kind === SPARSE) {
    if ((sketch.byteLength - 1) % 8 !== 0) throw new Error("sketch: sparse sketch has a partial entry");
  } else if (kind === DENSE) {
    if (sketch.byteLength !== 1 + REGISTERS) throw new Error(`sketch: dense sketch must have ${REGISTERS} registers`);
  } else {
    throw new Error(`sketch: unknown format ${kind}`);
  }
  return kind;
}

function sparseHashes(sketch: ArrayBuffer): Float64Array {
  // Copy: the payload starts at byte 1, which is not 8-byte aligned.
  const view = new DataView(sketch);
  const out = new Float64Array((sketch.byteLength - 1) / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(1 + i * 8, true);
  return out;
}

function encodeSparse(sortedUnique: readonly number[] | Float64Array): ArrayBuffer {
  const buffer = new ArrayBuffer(1 + sortedUnique.length * 8);
  const view = new DataView(buffer);
  view.setUint8(0, SPARSE);
  for (let i = 0; i < sortedUnique.length; i++) view.setFloat64(1 + i * 8, sortedUnique[i], true);
  return buffer;
}

function encodeDense(registers: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(1 + REGISTERS);
  const bytes = new Uint8Array(buffer);
  bytes[0] = DENSE;
  bytes.set(registers, 1);
  return buffer;
}

function addToRegisters(registers: Uint8Array, hash: number) {
  const index = hash % REGISTERS;
  const rest = Math.floor(hash / REGISTERS); // HASH_BITS − p = 39 bits
  const restBits = HASH_BITS - HLL_PRECISION;
  const rank = rest === 0 ? restBits + 1 : restBits - Math.floor(Math.log2(rest));
  if (rank > registers[index]) registers[index] = rank;
}

function foldInto(registers: Uint8Array, sketch: ArrayBuffer) {
  if (readHeader(sketch) === DENSE) {
    const other = new Uint8Array(sketch, 1);
    for (let i = 0; i < REGISTERS; i++) if (other[i] > registers[i]) registers[i] = other[i];
  } else {
    for (const hash of sparseHashes(sketch)) addToRegisters(registers, hash);
  }
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < REGISTERS; i++) {
    sum += 2 ** -registers[i];
    if (registers[i] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
  const raw = (alpha * REGISTERS * REGISTERS) / sum;
  // Linear counting is the better estimator while many registers are still empty.
  if (raw <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
  return Math.round(raw);
}

export function emptySketch(): ArrayBuffer {
  return encodeSparse([]);
}

function sortedUnion(sets: Iterable<number>): number[] {
  return [...new Set(sets)].sort((a, b) => a - b);
}

export function sketchAdd(sketch: ArrayBuffer, hashes: readonly number[]): ArrayBuffer {
  return mergeAll([sketch, encodeSparse(sortedUnion(hashes))]);
}

/** Removes hashes from an exact sketch; a HyperLogLog can't forget, so it is returned as is. */
export function sketchRemove(sketch: ArrayBuffer, hashes: readonly number[]): ArrayBuffer {
  if (readHeader(sketch) === DENSE) return sketch;
  const gone = new Set(hashes);
  return encodeSparse([...sparseHashes(sketch)].filter((h) => !gone.has(h)));
}

export function sketchMerge(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  return mergeAll([a, b]);
}

export function sketchCount(sketch: ArrayBuffer): number {
  return countUnion([sketch]);
}

function unionOf(sketches: readonly ArrayBuffer[]): { exact: Set<number> } | { registers: Uint8Array } {
  if (sketches.every((s) => readHeader(s) === SPARSE)) {
    const exact = new Set<number>();
    for (const s of sketches) for (const hash of sparseHashes(s)) exact.add(hash);
    return { exact };
  }
  const registers = new Uint8Array(REGISTERS);
  for (const s of sketches) foldInto(registers, s);
  return { registers };
}

/** Distinct visitors in the union of the sketches: exact when all are exact. */
export function countUnion(sketches: readonly ArrayBuffer[]): number {
  const union = unionOf(sketches);
  return "exact" in union ? union.exact.size : estimate(union.registers);
}

/** The union, encoded: exact while it fits SPARSE_LIMIT, else a HyperLogLog. */
export function mergeAll(sketches: readonly ArrayBuffer[]): ArrayBuffer {
  const union = unionOf(sketches);
  if ("registers" in union) return encodeDense(union.registers);
  if (union.exact.size <= SPARSE_LIMIT) return encodeSparse(sortedUnion(union.exact));
  const registers = new Uint8Array(REGISTERS);
  for (const hash of union.exact) addToRegisters(registers, hash);
  return encodeDense(registers);
}
