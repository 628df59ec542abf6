// The sampling key of filtered reads (contract §7): a visitor's stratum, from a hash of its id, so
// a sample keeps or drops all of one visitor's visits together (its unique count stays exact
// within the sample) and the same visitors whatever the read. A seed of its own keeps the
// strata independent of the bits the unique-visitor sketches use.
import { SAMPLE_STRATA } from "../lib/limits.js";
import { murmur3 } from "../lib/sketch.js";

const SAMPLE_SEED = 0x5a3b1e;
const utf8 = new TextEncoder();

/** The stratum of a visitor, 0 ≤ stratum < SAMPLE_STRATA. */
export function sampleOf(visitorId: string): number {
  return murmur3(utf8.encode(visitorId), SAMPLE_SEED) % SAMPLE_STRATA;
}
