// The stored form of property keys: every key a sender may give (at most MAX_PROP_KEY_LENGTH
// UTF-16 code units) has one, that Convex accepts as a field name, and reads back as it was
// sent; keys that were already valid field names are stored, and read, unchanged.
import { convexToJson } from "convex/values";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FIELD_NAME_LENGTH, MAX_PROP_KEY_LENGTH } from "../lib/limits.js";
import { decodePropKey, decodePropKeys, encodePropKey, encodePropKeys } from "./propKeys.js";

/** Throws as Convex does when `name` can't be a field name. */
const isFieldName = (name: string) => {
  convexToJson({ [name]: 1 });
  return name.length <= MAX_FIELD_NAME_LENGTH;
};

const anyKey = fc.string({ unit: "binary", maxLength: MAX_PROP_KEY_LENGTH });
const printableAscii = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) })
  .filter((k) => k.length <= MAX_PROP_KEY_LENGTH);

describe("stored property keys", () => {
  it("spells the keys Convex refuses as field names", () => {
    expect(encodePropKey("$browser")).toBe("%0024browser" + "~".repeat(53));
    expect(encodePropKey("город")).toBe("%0433%043E%0440%043E%0434" + "~".repeat(40));
    expect(encodePropKey("🔥")).toBe("%D83D%DD25" + "~".repeat(55));
    expect(encodePropKey("a%b~c")).toBe("a%b~c");
    expect(encodePropKey("$a%b~")).toBe("%0024a%0025b%007E" + "~".repeat(48));
    for (const key of ["$browser", "город", "🔥", "$a%b~"])
      expect(decodePropKey(encodePropKey(key))).toBe(key);
  });

  it("round-trips every key a sender may give, into a valid field name", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const stored = encodePropKey(key);
        expect(isFieldName(stored)).toBe(true);
        expect(decodePropKey(stored)).toBe(key);
        // Encoding is idempotent: a caller may hand in keys it already encoded.
        expect(encodePropKey(stored)).toBe(stored);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is injective on the keys a sender may give", () => {
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        if (a !== b) expect(encodePropKey(a)).not.toBe(encodePropKey(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it("leaves every key that was valid before it as it was: stored data needs no migration", () => {
    fc.assert(
      fc.property(printableAscii, (key) => {
        fc.pre(!key.startsWith("$"));
        expect(encodePropKey(key)).toBe(key);
        expect(decodePropKey(key)).toBe(key);
      }),
      { numRuns: 2_000 },
    );
    for (const key of ["plan", "utm_source", "a b", "%41", "~", "k".repeat(MAX_PROP_KEY_LENGTH)])
      expect(decodePropKey(encodePropKey(key))).toBe(key);
  });

  it("stays within Convex's field-name limit at the worst case", () => {
    // Every code unit escaped (5 characters each): 64 × 5 = 320.
    const worst = encodePropKey("\u0100".repeat(MAX_PROP_KEY_LENGTH));
    expect(worst.length).toBe(5 * MAX_PROP_KEY_LENGTH);
    expect(worst.length).toBeLessThanOrEqual(MAX_FIELD_NAME_LENGTH);
  });

  it("reads a long key that is no escaped form as itself", () => {
    for (const stored of ["x".repeat(70), "%0024" + "~".repeat(70), "%0041" + "~".repeat(60)])
      expect(decodePropKey(stored)).toBe(stored);
  });

  it("maps whole records", () => {
    const sent = { plan: "pro", $browser: "Chrome", город: 1 };
    const stored = encodePropKeys(sent);
    expect(Object.keys(stored)).toEqual([
      "plan",
      encodePropKey("$browser"),
      encodePropKey("город"),
    ]);
    expect(decodePropKeys(stored)).toEqual(sent);
  });
});
