import { describe, expect, it } from "vitest";
import { mirrorAction, mirrorReady } from "./goalMirror.js";

describe("a wildcard goal's rows and its backfill's cursor", () => {
  const hour = 3_600_000;
  it("add a merge the walk has passed, leave one ahead of it, defer one in the bucket it walks", () => {
    const walking = { bucket: 10 * hour, key: "/blog/m" };
    expect(mirrorAction(walking, 9 * hour)).toBe("add");
    expect(mirrorAction(walking, 10 * hour)).toBe("defer");
    expect(mirrorAction(walking, 11 * hour)).toBe("leave");
    // Before the walk starts every merged row is ahead of it; once done, every merge is added.
    expect(mirrorAction(undefined, 0)).toBe("leave");
    expect(mirrorAction("done", 10 * hour)).toBe("add");
  });

  it("let reads use a goal's rows only once its history is walked", () => {
    expect(mirrorReady(undefined)).toBe(false);
    expect(mirrorReady({ bucket: 0, key: "/" })).toBe(false);
    expect(mirrorReady("done")).toBe(true);
  });
});
