import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakdownRows, overviewFigures, type RowLike } from "./figures.js";
import { MAX_PART_KEYS, breakdownFromParts, foldByKey, overviewFromParts } from "./rangePart.js";
import { emptySketch, sketchAdd } from "../lib/sketch.js";

const row = (key: string, bucket: number, visitors: number[], counters: Partial<RowLike> = {}) => ({
  key,
  bucket,
  pageviews: 0,
  events: 0,
  sessions: 0,
  bounces: 0,
  pvSessions: 0,
  durationMs: 0,
  visitors: sketchAdd(emptySketch(), visitors),
  ...counters,
});

describe("a range read as a closed and an open part", () => {
  it("gives the figures of one read of the whole range: a visitor of both parts counts once", () => {
    // Visitor 1 came on a closed day and today; 2 only on a closed day; 3 only today.
    const closedDays = [
      row("/", 0, [1, 2], {
        pageviews: 3,
        sessions: 2,
        pvSessions: 2,
        bounces: 1,
        durationMs: 60_000,
      }),
      row("/pricing", 0, [1], { pageviews: 1, sessions: 0 }),
    ];
    const today = [row("/", 1, [1, 3], { pageviews: 2, sessions: 2, pvSessions: 2, bounces: 2 })];
    const parts = [foldByKey(closedDays, "visitors"), foldByKey(today, "visitors")];
    expect(overviewFromParts(parts)).toEqual(overviewFigures([...closedDays, ...today]));
    expect(overviewFromParts(parts)).toMatchObject({ visitors: 3, pageviews: 6, sessions: 4 });
    expect(breakdownFromParts(parts, "visitors", 10).rows).toEqual([
      { key: "/", visitors: 3, pageviews: 5, sessions: 4, events: 0 },
      { key: "/pricing", visitors: 1, pageviews: 1, sessions: 0, events: 0 },
    ]);
  });

  it("is exact for any rows and any split (property)", () => {
    const rowArb = fc.record({
      key: fc.constantFrom("/", "/a", "/b", "/c"),
      bucket: fc.integer({ min: 0, max: 9 }),
      visitors: fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 8 }),
      pageviews: fc.nat(20),
      events: fc.nat(5),
      sessions: fc.nat(10),
    });
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        (specs, split) => {
          const rows = specs.map((r) =>
            row(r.key, r.bucket, r.visitors, {
              pageviews: r.pageviews,
              events: r.events,
              sessions: r.sessions,
            }),
          );
          const parts = [
            foldByKey(
              rows.filter((r) => r.bucket < split),
              "visitors",
            ),
            foldByKey(
              rows.filter((r) => r.bucket >= split),
              "visitors",
            ),
          ];
          expect(overviewFromParts(parts)).toEqual(overviewFigures(rows));
          expect(breakdownFromParts(parts, "visitors", 3).approximate).toBeUndefined();
          expect(breakdownFromParts(parts, "visitors", 3).rows).toEqual(
            breakdownRows(rows, "visitors", 3),
          );
          expect(breakdownFromParts(parts, "events", 3).rows).toEqual(
            breakdownRows(rows, "events", 3),
          );
        },
      ),
    );
  });

  it("returns at most MAX_PART_KEYS keys, the most visited first, says it cut and bounds what it cut", () => {
    const rows = Array.from({ length: MAX_PART_KEYS + 2 }, (_, i) =>
      row(
        `/p${i}`,
        0,
        Array.from({ length: i % 7 }, (_, v) => i * 10 + v),
        { pageviews: i % 7 },
      ),
    );
    const part = foldByKey(rows, "visitors");
    expect(part.truncated).toBe(true);
    // The keys cut score at most the first one cut: 0 (i % 7 = 0) here, below every row shown.
    expect(part.rest).toBe(0);
    expect(breakdownFromParts([part], "visitors", 3).approximate).toBeUndefined();
    // A cut key that could reach the last row shown, a part that bounds nothing (its open
    // rows were capped), a row shown missing from a cut part: the order is not certain.
    expect(breakdownFromParts([{ ...part, rest: 6 }], "visitors", 3).approximate).toBe(true);
    expect(breakdownFromParts([{ ...part, rest: undefined }], "visitors", 3).approximate).toBe(
      true,
    );
    const today = foldByKey([row("/new", 1, [1, 2, 3, 4, 5, 6, 7], { pageviews: 7 })], "visitors");
    expect(breakdownFromParts([part, today], "visitors", 3).approximate).toBe(true);
    expect(part.rows).toHaveLength(MAX_PART_KEYS);
    expect(foldByKey(rows.slice(0, 3), "visitors").truncated).toBe(false);
    expect(part.rows[0]!.key).toBe("/p104"); // 6 visitors (i % 7 = 6), the first such key in key order
  });
});
