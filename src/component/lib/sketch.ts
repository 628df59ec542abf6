// Unique-visitor sketches, stored in Convex documents as bytes (v.bytes()).
//
// contract §5: visitors over any range are exact below 1,000 and within 2 % of the exact count
// in at least 95 % of ranges above that. A range is a union of rollup rows, so a sketch
// must merge losslessly: it is the exact set of visitor hashes while small ("sparse"), and
// a HyperLogLog once one row holds more than SPARSE_LIMIT visitors ("dense"). With
// p = 14 the standard error is 1.04 / √16384 ≈ 0.81 %, so 2 % is about 2.5 σ (≈ 98.6 % of
// ranges). A union of sparse sketches is counted exactly (up to EXACT_UNION_LIMIT), so an
// estimate only appears when some row alone already had more than SPARSE_LIMIT (> 1,000)
// visitors, or the range far more than 1,000.
//
// Layout: one format byte, then
//   SPARSE: the sorted, distinct hashes, float64 little-endian (53-bit hashes are exact);
//   DENSE:  REGISTERS one-byte HyperLogLog registers.

/**
 * Most hashes a sparse sketch holds. Above the 1,000 of the contract, and at 8 bytes a hash
 * still half the size of a dense sketch; an exact set is also what lets the worker retract
 * a visitor (sketchRemove).
 */
export const SPARSE_LIMIT = 1_024;

/** 2^14 registers: 0.81 % standard error, the smallest precision that meets 2 % at ~2.5 σ. */
export const HLL_PRECISION = 14;

const REGISTERS = 1 << HLL_PRECISION;
/** Hashes are 53-bit so that a JS number (and a float64 in a sparse sketch) holds them exactly. */
const HASH_BITS = 53;
/** The bits of a hash left for the rank once the top HLL_PRECISION bits chose a register. */
const RANK_BITS = HASH_BITS - HLL_PRECISION;
/** The rank of a hash whose RANK_BITS are all zero. */
const MAX_RANK = RANK_BITS + 1;

/**
 * A union counted exactly may hold at most this many hashes before it is folded into
 * registers: a Set of numbers costs tens of bytes an entry, and a year of daily rows ×
 * partitions could otherwise hold millions within a query's 64 MiB. Far above the 1,000
 * where exactness is promised.
 */
const EXACT_UNION_LIMIT = 1 << 16;

const HEADER_BYTES = 1;
const HASH_BYTES = 8;
const DENSE_BYTES = HEADER_BYTES + REGISTERS;
const SPARSE = 1;
// Format 2 was a dense layout indexed by the low hash bits, which pipeline.partitionOf also
// uses (a partition's row filled only 1/PARTITIONS of its registers). Its tag is retired so
// such a buffer is refused as unknown rather than merged with this layout.
const DENSE = 3;

const HASH_SEED_HIGH = 0x9747b28c;
const HASH_SEED_LOW = 0x5bd1e995;

// Hand-written on purpose: hashes are computed inside Convex queries and mutations, so the
// function must be synchronous and run in Convex's V8 runtime as in Node and browsers (no
// Node crypto, no async WebCrypto, no WASM), and no maintained synchronous 64-bit hash
// package fits that. It is small (MurmurHash3 x86_32), and its output is persisted in
// sketches and decides a visitor's partition, so it must never change.
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
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

const utf8 = new TextEncoder();

/** A stable, well-mixed 53-bit hash of a string's UTF-8 bytes: two 32-bit lanes, 21 + 32 bits. */
export function hashId(id: string): number {
  const bytes = utf8.encode(id);
  const high = murmur3(bytes, HASH_SEED_HIGH) & 0x1fffff;
  const low = murmur3(bytes, HASH_SEED_LOW);
  return high * 2 ** 32 + low;
}

function checkHash(hash: number): number {
  if (!Number.isSafeInteger(hash) || hash < 0)
    throw new Error(`sketch: ${hash} is not a 53-bit hash (use hashId)`);
  return hash;
}

/** A sketch's content: its sorted hashes, or its registers (a view: never written to). */
function decode(sketch: ArrayBuffer): Float64Array | Uint8Array {
  if (Object.prototype.toString.call(sketch) !== "[object ArrayBuffer]")
    throw new Error("sketch: not an ArrayBuffer");
  if (sketch.byteLength < HEADER_BYTES) throw new Error("sketch: empty buffer, no format byte");
  const format = new Uint8Array(sketch, 0, HEADER_BYTES)[0];
  const payload = sketch.byteLength - HEADER_BYTES;
  if (format === DENSE) {
    if (sketch.byteLength !== DENSE_BYTES) {
      throw new Error(
        `sketch: dense sketch is ${sketch.byteLength} bytes, expected ${DENSE_BYTES}`,
      );
    }
    return new Uint8Array(sketch, HEADER_BYTES);
  }
  if (format !== SPARSE) throw new Error(`sketch: unknown format ${format}`);
  if (payload % HASH_BYTES !== 0 || payload / HASH_BYTES > SPARSE_LIMIT) {
    throw new Error(
      `sketch: sparse sketch is ${sketch.byteLength} bytes, not 1 + 8 × (0…${SPARSE_LIMIT}) hashes`,
    );
  }
  // Read through a DataView: the hashes start at byte 1, not on a float64 boundary.
  const view = new DataView(sketch);
  const hashes = new Float64Array(payload / HASH_BYTES);
  for (let i = 0; i < hashes.length; i++) {
    hashes[i] = view.getFloat64(HEADER_BYTES + i * HASH_BYTES, true);
    if (
      !Number.isSafeInteger(hashes[i]) ||
      hashes[i] < 0 ||
      (i > 0 && hashes[i] <= hashes[i - 1])
    ) {
      throw new Error(
        "sketch: sparse sketch is corrupt (hashes not sorted distinct 53-bit integers)",
      );
    }
  }
  return hashes;
}

function encodeSparse(hashes: Set<number>): ArrayBuffer {
  const sorted = Float64Array.from(hashes).sort();
  const buffer = new ArrayBuffer(HEADER_BYTES + sorted.length * HASH_BYTES);
  const view = new DataView(buffer);
  view.setUint8(0, SPARSE);
  for (let i = 0; i < sorted.length; i++)
    view.setFloat64(HEADER_BYTES + i * HASH_BYTES, sorted[i], true);
  return buffer;
}

function encodeDense(registers: Uint8Array): ArrayBuffer {
  const bytes = new Uint8Array(DENSE_BYTES);
  bytes[0] = DENSE;
  bytes.set(registers, HEADER_BYTES);
  return bytes.buffer;
}

/**
 * The register is chosen by the top bits: the low bits also pick the visitor's partition
 * (pipeline.partitionOf), and a per-partition row must still spread over all registers.
 */
function addToRegisters(registers: Uint8Array, hash: number) {
  const index = Math.floor(hash / 2 ** RANK_BITS);
  const rest = hash - index * 2 ** RANK_BITS;
  const restHigh = Math.floor(rest / 2 ** 32); // RANK_BITS − 32 = 7 bits
  const leadingZeros =
    restHigh !== 0
      ? Math.clz32(restHigh) - (64 - RANK_BITS)
      : RANK_BITS - 32 + Math.clz32(rest >>> 0);
  const rank = leadingZeros + 1;
  if (rank > registers[index]) registers[index] = rank;
}

/**
 * Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017, algorithm 6): unbiased from 0 to far beyond any site's traffic, so
 * there is no switch-over from linear counting (where plain HyperLogLog is ~1-2 % biased
 * around 2.5 × 16,384 visitors, right in the range the contract covers).
 */
function estimate(registers: Uint8Array): number {
  const histogram = new Float64Array(MAX_RANK + 1);
  for (let i = 0; i < REGISTERS; i++) {
    const rank = registers[i];
    if (rank > MAX_RANK)
      throw new Error(`sketch: dense sketch is corrupt (register ${i} is ${rank})`);
    histogram[rank]++;
  }
  let z = REGISTERS * tau(1 - histogram[MAX_RANK] / REGISTERS);
  for (let k = RANK_BITS; k >= 1; k--) z = 0.5 * (z + histogram[k]);
  z += REGISTERS * sigma(histogram[0] / REGISTERS);
  return (REGISTERS * REGISTERS) / (2 * Math.LN2 * z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (let previous = -1; previous !== z; y += y) {
    previous = z;
    x *= x;
    z += x * y;
  }
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (let previous = -1; previous !== z;) {
    previous = z;
    x = Math.sqrt(x);
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  }
  return z / 3;
}

/**
 * A union being read: the exact set of hashes while it has at most `exactLimit` of them and
 * no input was dense, registers after. The end state does not depend on the input order.
 */
class Union {
  private exact: Set<number> | undefined = new Set();
  private registers: Uint8Array | undefined;

  constructor(private readonly exactLimit: number) {}

  addSketch(sketch: ArrayBuffer) {
    const content = decode(sketch);
    if (content instanceof Float64Array) {
      for (let i = 0; i < content.length; i++) this.addHash(content[i]);
      return;
    }
    const registers = this.toRegisters();
    for (let i = 0; i < REGISTERS; i++) if (content[i] > registers[i]) registers[i] = content[i];
  }

  addHash(hash: number) {
    if (this.registers) return addToRegisters(this.registers, hash);
    this.exact!.add(hash);
    if (this.exact!.size > this.exactLimit) this.toRegisters();
  }

  count(): number {
    return this.registers ? Math.round(estimate(this.registers)) : this.exact!.size;
  }

  encode(): ArrayBuffer {
    return this.registers ? encodeDense(this.registers) : encodeSparse(this.exact!);
  }

  private toRegisters(): Uint8Array {
    if (!this.registers) {
      this.registers = new Uint8Array(REGISTERS);
      for (const hash of this.exact!) addToRegisters(this.registers, hash);
      this.exact = undefined;
    }
    return this.registers;
  }
}

export function emptySketch(): ArrayBuffer {
  return encodeSparse(new Set());
}

/** The sketch with `hashes` (from hashId) added; dense once it would exceed SPARSE_LIMIT. */
export function sketchAdd(sketch: ArrayBuffer, hashes: readonly number[]): ArrayBuffer {
  const union = new Union(SPARSE_LIMIT);
  union.addSketch(sketch);
  for (const hash of hashes) union.addHash(checkHash(hash));
  return union.encode();
}

/**
 * The sketch without `hashes`, for the worker's retraction of a visitor whose session moved
 * to another row. A dense sketch can't forget: it comes back unchanged (as a copy).
 */
export function sketchRemove(sketch: ArrayBuffer, hashes: readonly number[]): ArrayBuffer {
  const content = decode(sketch);
  hashes.forEach(checkHash);
  if (content instanceof Uint8Array) return sketch.slice(0);
  const gone = new Set(hashes);
  return encodeSparse(new Set(content.filter((hash) => !gone.has(hash))));
}

export function sketchMerge(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  return mergeAll([a, b]);
}

/** Distinct hashes in the sketch: exact when sparse, a rounded estimate when dense. */
export function sketchCount(sketch: ArrayBuffer): number {
  return countUnion([sketch]);
}

/**
 * Distinct visitors in the union of the sketches (a range's rows): exact while every input
 * is sparse and the union holds at most EXACT_UNION_LIMIT hashes, else the estimate of the
 * registers all inputs fold into. Each input is read once and nothing is re-encoded.
 */
export function countUnion(sketches: readonly ArrayBuffer[]): number {
  const union = new Union(EXACT_UNION_LIMIT);
  for (const sketch of sketches) union.addSketch(sketch);
  return union.count();
}

/** The union of the sketches as one sketch (compaction): sparse if it fits, else dense. */
export function mergeAll(sketches: readonly ArrayBuffer[]): ArrayBuffer {
  const union = new Union(SPARSE_LIMIT);
  for (const sketch of sketches) union.addSketch(sketch);
  return union.encode();
}
