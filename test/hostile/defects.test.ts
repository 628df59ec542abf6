// The hostile-input review's findings on the public edge, one test each: every one failed before
// its fix. The table of hostile inputs is in hostile.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, components } from "../../example/convex/_generated/api.js";
import { exposeAdminApi, exposeAnalyticsApi, type AuthRequest } from "../../src/client/index.js";
import { handlerOf } from "../../harness/registered.js";
import { addSite, createHarness, MINUTE, pageview, type Harness } from "../../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** The facades of a host whose auth approves only `approved` sites (and no spanning call). */
function scopedHost(h: Harness, approved: string[]) {
  const seen: AuthRequest[] = [];
  const auth = (_ctx: unknown, request: AuthRequest) => {
    seen.push(request);
    if (request.siteId === undefined || !approved.includes(request.siteId))
      throw new Error(`refused ${request.fn} for ${request.siteId ?? "all sites"}`);
  };
  const reads = exposeAnalyticsApi(components.analytics, { auth });
  const admin = exposeAdminApi(components.analytics, { auth });
  return {
    seen,
    read: (name: keyof typeof reads, args: unknown) =>
      h.t.query((ctx) => handlerOf(reads[name])(ctx, args) as Promise<any>),
    adminQuery: (name: "getSite" | "listSites" | "getHealth", args: unknown) =>
      h.t.query((ctx) => handlerOf(admin[name])(ctx, args) as Promise<any>),
    adminMutation: (
      name: Exclude<keyof typeof admin, "getSite" | "listSites" | "getHealth">,
      args: unknown,
    ) => h.t.mutation((ctx) => handlerOf(admin[name])(ctx, args) as Promise<any>),
  };
}

describe("the public edge", () => {
  let h: Harness;
  beforeEach(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    h = await createHarness();
  });
  afterEach(() => vi.useRealTimers());

  it("1. a forged cursor reads nothing of another site", async () => {
    const b = await addSite(h, "other");
    await b.send([pageview("secret", NOW, "/b-secret")]);
    await h.send([pageview("mine", NOW, "/a")]);
    await h.settle();
    const host = scopedHost(h, [h.siteId]);
    const forged = [
      '["\uffff"]',
      "[{}]",
      JSON.stringify([b.siteId, NOW + 1, 0, "x"]),
      "[]",
      "[1,2,3,4,5]",
    ];
    for (const list of ["listEvents", "listSessions"] as const) {
      for (const cursor of forged) {
        await expect(
          host.read(list, { siteId: h.siteId, paginationOpts: { numItems: 100, cursor } }),
        ).rejects.toThrow(/paginationOpts.cursor/);
      }
      // A cursor of this site outside the range asked for is refused as well.
      const first = await host.read(list, {
        siteId: h.siteId,
        paginationOpts: { numItems: 1, cursor: null },
      });
      expect(JSON.stringify(first.page)).not.toContain("b-secret");
      const [, ts, creation, id] = JSON.parse(first.continueCursor);
      await expect(
        host.read(list, {
          siteId: h.siteId,
          from: ts + 1,
          paginationOpts: { numItems: 100, cursor: JSON.stringify([h.siteId, ts, creation, id]) },
        }),
      ).rejects.toThrow(/paginationOpts.cursor/);
    }
  });

  it("2. a burst of concurrent requests overshoots the rate limit by less than one request", async () => {
    const limit = 250;
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { ingestRatePerMinute: limit },
    });
    const batch = (b: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        ...pageview(`b${b}-${i}`, NOW, `/p${i}`),
        visitorId: `v${b}-${i}`,
      }));
    const responses = await Promise.all(Array.from({ length: 10 }, (_, b) => h.send(batch(b))));
    const accepted = responses.reduce(
      (sum, r) => sum + (r.status === 202 ? r.body.accepted : 0),
      0,
    );
    console.log(
      `rate limit ${limit}/min, 10 concurrent requests of 100 events: ${accepted} accepted, statuses ${responses.map((r) => r.status).join(",")}`,
    );
    expect(accepted).toBeLessThan(limit + 100);
    for (const r of responses.filter((r) => r.status === 429))
      expect(Number(r.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Sequential requests are counted exactly: the window fills up to the limit, then refuses.
    vi.setSystemTime(NOW + 2 * MINUTE);
    const statuses: number[] = [];
    for (let b = 10; b < 16; b++) statuses.push((await h.send(batch(b))).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
  });

  it("3. importEvents stores keys Convex refuses as field names (escaped), refusing only bad keys", async () => {
    const good = pageview("ok", NOW - 10 * 24 * 60 * MINUTE, "/");
    const bad = [
      { ...good, id: "d1", props: { $x: 1 } },
      { ...good, id: "d2", props: { $browser: "Chrome" } },
      { ...good, id: "d3", props: { clé: 1 } },
      {
        type: "identify",
        id: "d4",
        visitorId: "v",
        sessionId: "s",
        userId: "u",
        traits: { $x: 1 },
      },
      { ...good, id: "d5", props: { "a\u0001": 1 } },
    ];
    // Such events can't cross Convex's wire as objects; their JSON text can.
    const result = await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: [good, ...bad.map((e) => JSON.stringify(e))],
    });
    expect(result.accepted).toBe(5);
    expect(result.rejected).toEqual([
      {
        index: 5,
        reason: 'props.a\u0001: property key "a\\u0001" must not contain control characters',
      },
    ]);
  });

  it("4. control characters can't forge rollup rows", async () => {
    await h.send([
      { ...pageview("e1", NOW, "/"), type: "event", name: "sign\u0001up", props: { plan: "pro" } },
      {
        ...pageview("e2", NOW, "/"),
        type: "event",
        name: "signup\u001fplan\u0001INJECTED",
        props: { x: "y" },
      },
      { ...pageview("e3", NOW, "/"), type: "event", name: "signup", props: { plan: "free" } },
    ]);
    await h.settle();
    const rows = await h.admin.query(api.analytics.getEventProperties, {
      siteId: h.siteId,
      from: NOW - 60 * MINUTE,
      to: NOW + 60 * MINUTE,
      eventName: "signup",
      property: "plan",
    });
    expect(rows.rows.map((r) => r.key)).toEqual(["free"]);
  });

  it("5. a call that names a site reaches auth with that site; listSites shows approved sites only", async () => {
    const b = await addSite(h, "other");
    const host = scopedHost(h, [h.siteId]);
    await expect(host.adminQuery("getSite", { slug: "other" })).rejects.toThrow(
      /refused getSite for/,
    );
    expect(host.seen.at(-1)).toEqual({ kind: "admin", fn: "getSite", siteId: b.siteId });
    expect(await host.adminQuery("getSite", { slug: "example" })).toMatchObject({
      siteId: h.siteId,
    });
    await expect(host.adminQuery("getSite", { slug: "nobody" })).rejects.toThrow(/all sites/);
    expect((await host.adminQuery("listSites", {})).map((s: { slug: string }) => s.slug)).toEqual([
      "example",
    ]);
    await expect(host.adminMutation("runMaintenance", {})).rejects.toThrow(/all sites/);
  });

  it("6. weak supplied write keys and far-future imports are refused", async () => {
    for (const writeKey of ["a".repeat(40), "abababababababababababababababababab", "short"]) {
      await expect(
        h.admin.mutation(api.analytics.createSite, { slug: "weak", name: "Weak", writeKey }),
      ).rejects.toThrow(/writeKey must/);
    }
    await h.admin.mutation(api.analytics.createSite, {
      slug: "strong",
      name: "Strong",
      writeKey: "wk_Zq3v9LmP2xR7tY4bN8cK1dF6gH0jS5aW",
    });
    const result = await h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: [
        pageview("future", Date.UTC(3000, 0, 1), "/"),
        pageview("past", Date.UTC(2019, 0, 1), "/"),
        pageview("soon", NOW + MINUTE, "/"),
      ],
    });
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      { index: 0, reason: expect.stringMatching(/ts is more than 5 minutes in the future/) },
    ]);
  });
});
