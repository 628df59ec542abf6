// The dashboard's split read path (invariant 12): a range that reaches the present read as its
// closed days and today. Merged, the parts give exactly what one read of the whole range gives;
// and what live traffic writes re-runs only today's part (footprints: a write that falls in a
// subscribed query's read set re-runs it), so the closed days stay in Convex's query cache.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, internal } from "../example/convex/_generated/api.js";
import {
  breakdownFromParts,
  goalsFromParts,
  overviewFromParts,
} from "../src/component/read/rangePart.js";
import { modules as componentModules } from "../src/test.js";
import { invalidates } from "../harness/footprint/predict.js";
import { startRecording } from "../harness/footprint/recorder.js";
import componentSchema from "../src/component/schema.js";
import { createHarness, DAY, HOUR, MINUTE, pageview, type Harness } from "../harness/host.js";

const exampleModules = import.meta.glob("../example/convex/**/*.ts");
const TODAY = Date.UTC(2026, 5, 15);
const NOW = TODAY + 14 * HOUR + 20 * MINUTE;
const FROM = TODAY - 6 * DAY;
const TOMORROW = TODAY + DAY;

let h: Harness;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

/** Visitor v0 on a closed day and today, v1–v3 on closed days, v4 today only. */
async function seed() {
  h = await createHarness();
  const history = [0, 1, 2, 3].flatMap((v) =>
    [0, 1].map((i) => ({
      ...pageview(`h${v}-${i}`, TODAY - (v + 1) * DAY + i * MINUTE, i ? "/pricing" : "/"),
      visitorId: `v${v}`,
      sessionId: `v${v}-old`,
      ip: "192.0.2.1",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
    })),
  );
  await h.admin.mutation(api.analytics.importEvents, { siteId: h.siteId, events: history });
  await h.settle();
  vi.setSystemTime(NOW + 2 * DAY);
  await h.t.action(internal.analytics.analyticsMaintenance, { task: "compact" });
  vi.setSystemTime(NOW);
  for (const [id, visitor, path] of [
    ["t1", "v0", "/"],
    ["t2", "v4", "/blog"],
    ["t3", "v4", "/"],
  ] as const)
    await h.send([
      {
        ...pageview(id, NOW - 30 * MINUTE, path),
        visitorId: visitor,
        sessionId: `${visitor}-today`,
      },
    ]);
  await h.settle();
}

const part = (from: number, to: number, dimension: "all" | "goals" | "page", keys?: string[]) =>
  h.admin.query(api.analytics.getRangePart, {
    siteId: h.siteId,
    from,
    to,
    dimension,
    ...(keys ? { keys } : {}),
  });

describe("a range read as its closed days and today", () => {
  it("merges into exactly what one read of the whole range gives", async () => {
    await seed();
    const closed = await part(FROM, TODAY, "all");
    const today = await part(TODAY, TOMORROW, "all");
    const whole = await h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from: FROM,
      to: TOMORROW,
    });
    const merged = overviewFromParts([closed, today]);
    expect(merged).toMatchObject({ visitors: 5, pageviews: 11, sessions: 6 });
    for (const key of Object.keys(merged) as (keyof typeof merged)[])
      expect(merged[key]).toBe(whole[key]);

    const closedPages = await part(FROM, TODAY, "page");
    const todayPages = await part(
      TODAY,
      TOMORROW,
      "page",
      closedPages.rows.map((r) => r.key),
    );
    const breakdown = await h.admin.query(api.analytics.getBreakdown, {
      siteId: h.siteId,
      from: FROM,
      to: TOMORROW,
      dimension: "page",
    });
    expect(breakdownFromParts([closedPages, todayPages], "visitors", 10)).toEqual({
      rows: breakdown.rows,
    });
    // "/": v0–v3 before today and v0, v4 today: 5 visitors, one of them on both sides.
    expect(breakdown.rows[0]).toMatchObject({ key: "/", visitors: 5, pageviews: 6 });
  });

  it("merges goals into exactly what getGoals gives for the whole range", async () => {
    await seed();
    for (const [name, pathPattern] of [
      ["Pricing", "/pricing"],
      ["Home", "/"],
      ["Blog", "/blog*"],
    ])
      await h.admin.mutation(api.analytics.createGoal, {
        siteId: h.siteId,
        name,
        kind: "page",
        pathPattern,
      });
    const whole = await h.admin.query(api.analytics.getGoals, {
      siteId: h.siteId,
      from: FROM,
      to: TOMORROW,
    });
    const merged = goalsFromParts(
      [await part(FROM, TODAY, "goals"), await part(TODAY, TOMORROW, "goals")],
      [await part(FROM, TODAY, "all"), await part(TODAY, TOMORROW, "all")],
    );
    expect(merged).toEqual({ visitors: whole.visitors, goals: whole.goals });
    // Home: v0–v3 before today, v0 and v4 today: 5 visitors of 5, v0 counted once.
    expect(merged.goals.map((g) => [g.name, g.visitors, g.events])).toEqual([
      ["Home", 5, 6],
      ["Pricing", 4, 4],
      ["Blog", 1, 1],
    ]);
  });

  it("live traffic re-runs today's part and never the closed days'", async () => {
    await seed();
    const rec = await startRecording(h.t, {
      schemas: { "": undefined, analytics: componentSchema },
      modules: { "": exampleModules, analytics: componentModules },
    });
    const subscribe = async (from: number, to: number, dimension: "all" | "page") => {
      rec.take();
      await part(from, to, dimension);
      return rec.take().find((f) => f.kind === "query")!;
    };
    const closed = [await subscribe(FROM, TODAY, "all"), await subscribe(FROM, TODAY, "page")];
    const open = [
      await subscribe(TODAY, TOMORROW, "all"),
      await subscribe(TODAY, TOMORROW, "page"),
    ];
    vi.setSystemTime(NOW + 10 * MINUTE);
    await h.send([
      { ...pageview("live1", NOW + 10 * MINUTE, "/new"), visitorId: "v9", sessionId: "s9" },
    ]);
    await h.settle();
    const writes = rec.take().filter((f) => f.kind === "mutation" && f.writes.length > 0);
    rec.stop();
    expect(writes.some((w) => w.name.endsWith("worker:aggregateSite"))).toBe(true);
    for (const query of closed) expect(writes.filter((w) => invalidates(w, query))).toEqual([]);
    for (const query of open)
      expect(writes.filter((w) => invalidates(w, query)).map((w) => w.name)).toContain(
        "analytics/worker:aggregateSite",
      );
  });
});
