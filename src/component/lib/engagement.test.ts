import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  engagementFigures,
  MAX_ENGAGED_MS_PER_EVENT,
  MAX_SESSION_ENGAGED_PAGES,
  mergeEngagement,
  pageEngagement,
  type PageEngagement,
} from "./engagement.js";

describe("one engagement event", () => {
  it("cuts scroll depth to 0..100 whole percent and engaged time to 30 minutes", () => {
    expect(pageEngagement("/a", 42.6, 1_234.4)).toEqual({
      path: "/a",
      scrollDepth: 43,
      engagedMs: 1_234,
    });
    expect(pageEngagement("/a", 180, 3 * 60 * 60_000)).toEqual({
      path: "/a",
      scrollDepth: 100,
      engagedMs: MAX_ENGAGED_MS_PER_EVENT,
    });
    expect(MAX_ENGAGED_MS_PER_EVENT).toBe(30 * 60_000);
  });
});

describe("a session's engagement", () => {
  it("keeps per page the largest scroll depth and the sum of engaged time", () => {
    const merged = mergeEngagement(
      [
        { path: "/b", scrollDepth: 100, engagedMs: 30_000 },
        { path: "/a", scrollDepth: 40, engagedMs: 20_000 },
      ],
      [{ path: "/a", scrollDepth: 70, engagedMs: 5_000 }],
    );
    expect(merged).toEqual([
      { path: "/a", scrollDepth: 70, engagedMs: 25_000 },
      { path: "/b", scrollDepth: 100, engagedMs: 30_000 },
    ]);
  });

  it("is the same whatever order and grouping the events arrive in, also past the page bound", () => {
    const page = fc.record({
      path: fc.constantFrom(...Array.from({ length: 8 }, (_, i) => `/p${i}`)),
      scrollDepth: fc.integer({ min: 0, max: 100 }),
      engagedMs: fc.integer({ min: 0, max: 60_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(page, { maxLength: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (pages, cut) => {
          const all = mergeEngagement(pages, []);
          const reversed = [...pages].reverse();
          const inTwo = mergeEngagement(
            mergeEngagement(reversed.slice(0, cut), []),
            mergeEngagement(reversed.slice(cut), []),
          );
          expect(inTwo).toEqual(all);
        },
      ),
    );
    // Past the bound the first pages in path order are kept, with their exact figures.
    const many: PageEngagement[] = Array.from(
      { length: MAX_SESSION_ENGAGED_PAGES + 5 },
      (_, i) => ({
        path: `/${String(i).padStart(4, "0")}`,
        scrollDepth: 10,
        engagedMs: 1_000,
      }),
    );
    const kept = mergeEngagement(mergeEngagement(many.slice(3), []), many.slice(0, 3));
    expect(kept).toHaveLength(MAX_SESSION_ENGAGED_PAGES);
    expect(kept[0]!.path).toBe("/0000");
  });
});

describe("a row's figures", () => {
  it("average the visits' maximum scroll depths and divide engaged time by those visits", () => {
    // Two visits engaged on the page: 70 % and 20 %, 25 s and 10 s.
    expect(engagementFigures({ engagedVisits: 2, scrollSum: 90, engagedMs: 35_000 })).toEqual({
      scrollDepth: 45,
      timeOnPageMs: 17_500,
    });
    expect(engagementFigures({ engagedVisits: 3, scrollSum: 100, engagedMs: 1_000 })).toEqual({
      scrollDepth: 33,
      timeOnPageMs: 333,
    });
  });

  it("are absent, not 0, for a page no visit sent engagement for", () => {
    expect(engagementFigures({})).toEqual({});
    expect(engagementFigures({ engagedVisits: 0, scrollSum: 0, engagedMs: 0 })).toEqual({});
  });
});
