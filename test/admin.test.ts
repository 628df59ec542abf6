// Sites (contract §4) and the facades' auth contract (contract §1).
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { api, components } from "../example/convex/_generated/api.js";
import { getFunctionAddress, type FunctionArgs, type FunctionReturnType } from "convex/server";
import { exposeAdminApi, exposeAnalyticsApi, type AuthRequest } from "../src/client/index.js";
import { sha256Hex } from "../src/component/lib/keys.js";
import { handlerOf } from "../harness/registered.js";
import { createHarness, type Harness } from "../harness/host.js";

describe("sites", () => {
  let h: Harness;
  beforeEach(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 20));
    h = await createHarness();
  });
  afterEach(() => vi.useRealTimers());

  it("hands out a strong key once and stores only its SHA-256", async () => {
    expect(h.writeKey).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    const site = await h.admin.query(api.analytics.getSite, { siteId: h.siteId });
    expect(JSON.stringify(site)).not.toContain(h.writeKey);
    expect(JSON.stringify(site)).not.toContain(await sha256Hex(h.writeKey));
    expect(site).toMatchObject({
      slug: "example",
      timezone: "UTC",
      status: "active",
      settings: { sessionTimeoutMs: 1_800_000 },
    });
    expect(await h.admin.query(api.analytics.getSite, { slug: "example" })).toEqual(site);
    expect(await h.admin.query(api.analytics.listSites, {})).toEqual([site]);
  });

  it("rotates the key: the old one stops working, the new one works", async () => {
    const { writeKey } = await h.admin.mutation(api.analytics.rotateWriteKey, { siteId: h.siteId });
    expect(writeKey).not.toBe(h.writeKey);
    const event = {
      type: "pageview",
      id: "e1",
      visitorId: "v",
      sessionId: "s",
      url: "https://example.com/",
    };
    expect((await h.post({ key: h.writeKey, events: [event] })).status).toBe(401);
    expect((await h.post({ key: writeKey, events: [event] })).status).toBe(202);
  });

  const badInputs: [string, Record<string, unknown>, RegExp][] = [
    ["slug", { slug: "Not A Slug" }, /slug must be 1-64 lowercase letters/],
    ["duplicate slug", { slug: "example" }, /already exists/],
    ["timezone", { timezone: "Mars/Olympus" }, /timezone must be an IANA time zone/],
    ["domain", { domain: "https://example.com/" }, /domain must be a lowercase host name/],
    [
      "origins",
      { allowedOrigins: ["https://example.com/path"] },
      /allowedOrigins entries must be origins/,
    ],
    ["short key", { writeKey: "short" }, /writeKey must be at least 32/],
    ["repetitive key", { writeKey: "a".repeat(40) }, /writeKey must use at least 10 distinct/],
    [
      "guessable key",
      { writeKey: "aaaaaaaaaaaaaaaaaaaaaaabcdefghij" },
      /writeKey must be random: at least 96 bits/,
    ],
  ];
  for (const [what, args, message] of badInputs) {
    it(`refuses a bad ${what} with a message naming it, and creates nothing`, async () => {
      await expect(
        h.admin.mutation(api.analytics.createSite, { slug: "other", name: "Other", ...args }),
      ).rejects.toThrow(message);
      expect(await h.admin.query(api.analytics.listSites, {})).toHaveLength(1);
    });
  }

  it("validates every setting and keeps the old settings when one is out of range", async () => {
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: h.siteId,
      settings: { sessionTimeoutMs: 600_000, retentionDays: 30 },
    });
    await expect(
      h.admin.mutation(api.analytics.updateSite, {
        siteId: h.siteId,
        settings: { pageviewDedupMs: -1, retentionDays: 7 },
      }),
    ).rejects.toThrow(/settings: pageviewDedupMs must be between 0 and 86400000/);
    await expect(
      h.admin.mutation(api.analytics.updateSite, {
        siteId: h.siteId,
        settings: { sessionTimeout: 1 },
      }),
    ).rejects.toThrow(/Unrecognized key/);
    const site = await h.admin.query(api.analytics.getSite, { siteId: h.siteId });
    expect(site?.settings).toMatchObject({
      sessionTimeoutMs: 600_000,
      retentionDays: 30,
      pageviewDedupMs: 1_800_000,
    });
  });
});

describe("facades", () => {
  it("refuse to be created without an auth function", () => {
    expect(() => exposeAnalyticsApi(components.analytics, {} as never)).toThrow(
      /the \{ auth \} option is required/,
    );
    expect(() => exposeAdminApi(components.analytics, undefined as never)).toThrow(
      /the \{ auth \} option is required/,
    );
  });

  it("call auth with kind, function and site, and refuse anonymous callers in the example", async () => {
    vi.useFakeTimers();
    const h = await createHarness();
    const anonymous = h.t;
    await expect(
      anonymous.query(api.analytics.getOverview, { siteId: h.siteId, from: 0, to: 3_600_000 }),
    ).rejects.toThrow(/Sign in to call getOverview/);
    await expect(
      anonymous.mutation(api.analytics.createSite, { slug: "x", name: "X" }),
    ).rejects.toThrow(/Sign in as an administrator to call createSite/);
    vi.useRealTimers();
  });

  it("pass kind, fn and siteId to auth", async () => {
    const seen: unknown[] = [];
    const reads = exposeAnalyticsApi(components.analytics, {
      auth: (_ctx, request) => void seen.push(request),
    });
    // Call the registered function's handler directly: what matters is what auth receives.
    const handler = handlerOf(reads.getOverview);
    await handler({ runQuery: async () => "result" }, { siteId: "s1", from: 0, to: 1 });
    expect(seen).toEqual([{ kind: "read", fn: "getOverview", siteId: "s1" }]);
  });

  it("every function of both facades asks auth before anything of the component runs but a lookup of the site it names", async () => {
    // Every row of both tables, whatever it is called: a function added to a facade without its
    // auth call fails here. Args name site "s1" directly or through what they look up.
    const lookups: Record<string, unknown> = {
      "sites/getSite": { siteId: "s1" },
      "sites/listSites": [{ siteId: "s1" }],
      "goals/getGoal": { siteId: "s1" },
      "funnels/getFunnelSite": { siteId: "s1" },
      "statsKeys/statsKeySites": ["s1"],
    };
    const args = {
      siteId: "s1",
      siteIds: ["s1"],
      goalId: "g1",
      funnelId: "f1",
      keyId: "k1",
    };
    for (const [expose, kind] of [
      [exposeAnalyticsApi, "read"],
      [exposeAdminApi, "admin"],
    ] as const) {
      const asked: AuthRequest[] = [];
      const facade = expose(components.analytics, {
        auth: (_ctx, request) => {
          asked.push(request);
          throw new Error("refused");
        },
      });
      const reached: string[] = [];
      const run = async (ref: unknown) => {
        const path = String(getFunctionAddress(ref as never).reference).replace(
          "_reference/childComponent/analytics/",
          "",
        );
        reached.push(path);
        if (!(path in lookups)) throw new Error(`reached ${path} before auth`);
        return lookups[path];
      };
      for (const [name, fn] of Object.entries(facade)) {
        asked.length = 0;
        reached.length = 0;
        const called = name === "listSites" ? {} : args;
        const result = handlerOf(fn)({ runQuery: run, runMutation: run }, called);
        if (name === "listSites") {
          // A list asks once per site and leaves out the refused ones.
          await expect(result).resolves.toEqual([]);
        } else {
          await expect(result, name).rejects.toThrow("refused");
        }
        expect(asked, name).toEqual([{ kind, fn: name, siteId: "s1" }]);
        expect(
          reached.every((path) => path in lookups),
          name,
        ).toBe(true);
      }
      // Contract §3 and §4: 11 reads, 17 admin functions; none skipped above.
      expect(Object.keys(facade).length).toBe(kind === "read" ? 11 : 17);
    }
  });

  it("give the host's generated api the component functions' own types (checked by tsc)", () => {
    // `npm run typecheck` fails here when a facade's types widen or drift from the component's.
    expectTypeOf<FunctionArgs<typeof api.analytics.getOverview>>().toEqualTypeOf<
      FunctionArgs<typeof components.analytics.reports.getOverview>
    >();
    expectTypeOf<FunctionReturnType<typeof api.analytics.getOverview>>().toEqualTypeOf<
      FunctionReturnType<typeof components.analytics.reports.getOverview>
    >();
    expectTypeOf<FunctionArgs<typeof api.analytics.getBreakdown>>().toEqualTypeOf<
      FunctionArgs<typeof components.analytics.reports.getBreakdown>
    >();
    expectTypeOf<FunctionReturnType<typeof api.analytics.listSessions>>().toEqualTypeOf<
      FunctionReturnType<typeof components.analytics.reports.listSessions>
    >();
    expectTypeOf<FunctionArgs<typeof api.analytics.createGoal>>().toEqualTypeOf<
      FunctionArgs<typeof components.analytics.goals.createGoal>
    >();
    expectTypeOf<FunctionArgs<typeof api.analytics.deleteGoal>>().toEqualTypeOf<{
      goalId: string;
    }>();
    expectTypeOf<FunctionReturnType<typeof api.analytics.getSite>>().not.toBeUnknown();
  });
});
