// The hostile-input suite: a table of attacks on every public entry — the HTTP
// route (whoever holds the public write key), the read facades, the admin facades and
// importEvents — each run through the real route or the example host's facades. Every case
// asserts its status or error, CORS headers on HTTP answers, and that nothing was stored or
// changed (table counts, sites, the overview and the raw event list, before and after).
// The last table stores hostile strings as data and checks they come back byte for byte.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api, components } from "../../example/convex/_generated/api.js";
import { exposeAdminApi, exposeAnalyticsApi, type AuthRequest } from "../../src/client/index.js";
import { MAX_BODY_BYTES } from "../../src/component/lib/limits.js";
import { handlerOf } from "../../harness/registered.js";
import {
  addSite,
  createHarness,
  HOUR,
  pageview,
  tableCounts,
  USER_AGENT,
  type Harness,
} from "../../harness/host.js";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

type HttpAnswer = { status: number; headers: Headers; body: any };
/** What a case must produce: an HTTP status (+ error code or per-event rejection), or a thrown error. */
type Expect =
  | { status: number; code?: string; rejected?: RegExp; filtered?: number }
  | { throws: RegExp; code?: string };
type Case = {
  entry: string;
  name: string;
  run: () => Promise<HttpAnswer | unknown>;
  expect: Expect;
};

let h: Harness;
let other: Awaited<ReturnType<typeof addSite>>;
let disabled: Awaited<ReturnType<typeof addSite>>;
const seenAuth: AuthRequest[] = [];

/** Calls a function the table picked by name, whatever its argument type. */
function call(who: object, kind: "query" | "mutation", ref: unknown, args: unknown) {
  return (who as Record<string, (r: unknown, a: unknown) => Promise<unknown>>)[kind]!(ref, args);
}

/** Facades of a host whose auth approves only the main site, never a spanning call. */
function scoped() {
  const auth = (_ctx: unknown, request: AuthRequest) => {
    seenAuth.push(request);
    if (request.siteId !== h.siteId)
      throw new Error(`forbidden: ${request.fn} on ${request.siteId ?? "all sites"}`);
  };
  const reads = exposeAnalyticsApi(components.analytics, { auth });
  const admin = exposeAdminApi(components.analytics, { auth });
  return {
    read: (name: keyof typeof reads, args: unknown) =>
      h.t.query((ctx) => handlerOf(reads[name])(ctx, args) as Promise<any>),
    query: (name: "getSite" | "listSites" | "getHealth", args: unknown) =>
      h.t.query((ctx) => handlerOf(admin[name])(ctx, args) as Promise<any>),
    mutate: (
      name: Exclude<keyof typeof admin, "getSite" | "listSites" | "getHealth">,
      args: unknown,
    ) => h.t.mutation((ctx) => handlerOf(admin[name])(ctx, args) as Promise<any>),
  };
}

async function snapshot() {
  const [counts, sites, overview, events] = await Promise.all([
    tableCounts(h),
    h.admin.query(api.analytics.listSites, {}),
    h.admin.query(api.analytics.getOverview, {
      siteId: h.siteId,
      from: NOW - 24 * HOUR,
      to: NOW + HOUR,
    }),
    h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      paginationOpts: { numItems: 100, cursor: null },
    }),
  ]);
  return { counts, sites, overview, events: events.page.map((e) => e.eventId) };
}

// ------------------------------------------------------------------ the HTTP route

const post = (body: unknown, headers: Record<string, string> = {}, raw?: string) =>
  h.post(body, { headers, ...(raw !== undefined ? { raw } : {}) });
const send = (events: unknown[], headers: Record<string, string> = {}) =>
  post({ key: h.writeKey, events }, headers);
const one = (event: unknown) => send([event]);
const base = () => pageview("h1", NOW, "/");
const ev = (extra: Record<string, unknown>) => ({
  ...base(),
  type: "event",
  name: "signup",
  ...extra,
});

const routeCases: Case[] = [];
const route = (name: string, run: () => Promise<HttpAnswer>, expect: Expect) =>
  routeCases.push({ entry: "route", name, run, expect });
const rejectedEvent = (name: string, event: () => unknown, reason: RegExp) =>
  route(`event ${name}`, () => one(event()), { status: 202, rejected: reason });

// Envelope: not JSON, wrong shape, too many events.
for (const [what, raw] of [
  ["truncated JSON", "{nope"],
  ["an empty body", ""],
  ["a lone brace", "{"],
  ["a NUL byte", "\u0000"],
  ["JavaScript, not JSON", "{key: 'x', events: []}"],
  ["trailing garbage", '{"events":[]} x'],
  ["NaN literal", '{"events":[{"ts":NaN}]}'],
  ["a comment", '{"events":[] /* hi */}'],
] as const)
  route(`body: ${what}`, () => post(null, {}, raw), { status: 400, code: "invalid_json" });
for (const [what, body] of [
  ["null", null],
  ["an array", []],
  ["a string", "events"],
  ["a number", 42],
  ["events missing", { key: "k" }],
  ["events a string", { events: "x" }],
  ["events an object", { events: { 0: {} } }],
  ["events null", { events: null }],
  ["key a number", { key: 123, events: [] }],
  ["key an object", { key: { $ne: null }, events: [] }],
  ["key 129 characters", { key: "k".repeat(129), events: [] }],
  ["events under __proto__ only", JSON.parse('{"__proto__":{"events":[]}}')],
] as const)
  route(`body: ${what}`, () => post(body), { status: 400, code: "invalid_body" });
route(
  "body: 101 events",
  () => send(Array.from({ length: 101 }, (_, i) => pageview(`m${i}`, NOW, "/"))),
  {
    status: 400,
    code: "too_many_events",
  },
);
route("body: 1,000 tiny events", () => send(Array.from({ length: 1000 }, () => 0)), {
  status: 400,
  code: "too_many_events",
});

// Size.
route(
  "size: a body over 64 KiB",
  () => post(null, {}, JSON.stringify({ events: [], pad: "x".repeat(MAX_BODY_BYTES) })),
  {
    status: 413,
    code: "body_too_large",
  },
);
route(
  "size: 64 KiB of multi-byte characters",
  () => post(null, {}, JSON.stringify({ events: [], pad: "é".repeat(MAX_BODY_BYTES / 2 + 1) })),
  {
    status: 413,
    code: "body_too_large",
  },
);
route(
  "size: a Content-Length of 1 GB",
  () => post({ key: "k", events: [] }, { "Content-Length": "1000000000" }),
  {
    status: 413,
    code: "body_too_large",
  },
);

// Keys.
route("key: none", () => post({ events: [base()] }), { status: 401, code: "missing_key" });
route("key: empty", () => post({ key: "", events: [base()] }), {
  status: 401,
  code: "missing_key",
});
for (const [what, key] of [
  ["unknown", "wk_unknown-key-000000000000000000"],
  ["SQL", "' OR '1'='1' --"],
  ["a hash of the real key's shape", "0".repeat(64)],
  ["with a trailing space", "KEY "],
  ["the real key upper-cased", "UPPER"],
] as const) {
  route(
    `key: ${what}`,
    () =>
      post({
        key: key === "KEY " ? `${h.writeKey} ` : key === "UPPER" ? h.writeKey.toUpperCase() : key,
        events: [base()],
      }),
    {
      status: 401,
      code: "unknown_key",
    },
  );
}
route(
  "key: unknown in X-Analytics-Key, valid in the body",
  () => post({ key: h.writeKey, events: [base()] }, { "X-Analytics-Key": "wk_nope-nope-nope" }),
  {
    status: 401,
    code: "unknown_key",
  },
);
route("key: a disabled site's", () => disabled.send([base()]), {
  status: 403,
  code: "site_disabled",
});

// Origins (the main site allows only https://example.com).
for (const origin of [
  "https://evil.example",
  "null",
  "https://example.com.evil.example",
  "https://EXAMPLE.com",
  "https://example.com/",
  "http://example.com",
  "https://example.com:8443",
  "<script>alert(1)</script>",
])
  route(`origin: ${origin}`, () => send([base()], { Origin: origin }), {
    status: 403,
    code: "origin_not_allowed",
  });

// Methods.
for (const method of ["GET", "PUT", "PATCH", "DELETE"])
  route(
    `method: ${method}`,
    () =>
      h.t
        .fetch("/analytics/ingest", { method, headers: { Origin: "https://evil.example" } })
        .then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() })),
    {
      status: 405,
      code: "method_not_allowed",
    },
  );

// Bots: answered 202, nothing stored.
for (const ua of [
  "",
  "-",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "curl/8.4.0",
  "python-requests/2.31",
])
  route(`bot: User-Agent "${ua.slice(0, 30)}"`, () => send([base()], { "User-Agent": ua }), {
    status: 202,
    filtered: 1,
  });

// Per-event validation: the request is answered 202, the event is listed in `rejected`.
for (const [what, type] of [
  ["unknown", "click"],
  ["a number", 1],
  ["null", null],
  ["an object", { $eq: "pageview" }],
] as const)
  rejectedEvent(`type ${what}`, () => ({ ...base(), type }), /type must be one of/);
rejectedEvent("not an object: a number", () => 7, /expected object/);
rejectedEvent("not an object: a string", () => "pageview", /expected object/);
rejectedEvent("not an object: null", () => null, /expected object/);
rejectedEvent("not an object: an array", () => [base()], /expected object/);
rejectedEvent("id missing", () => ({ ...base(), id: undefined }), /id must be a string/);
rejectedEvent("id empty", () => ({ ...base(), id: "" }), /id must not be empty/);
rejectedEvent(
  "id 65 characters",
  () => ({ ...base(), id: "i".repeat(65) }),
  /id must be at most 64/,
);
rejectedEvent("id a number", () => ({ ...base(), id: 1 }), /id must be a string/);
rejectedEvent(
  "visitorId an object",
  () => ({ ...base(), visitorId: { toString: "x" } }),
  /visitorId must be a string/,
);
rejectedEvent(
  "sessionId an array",
  () => ({ ...base(), sessionId: ["s"] }),
  /sessionId must be a string/,
);
rejectedEvent(
  "visitorId a lone surrogate",
  () => ({ ...base(), visitorId: "v\ud800" }),
  /well-formed Unicode/,
);
for (const [what, ts] of [
  ["a string", "now"],
  ["negative", -1],
  ["fractional", 1.5],
  ["a boolean", true],
  ["an object", { $date: 1 }],
] as const)
  rejectedEvent(`ts ${what}`, () => ({ ...base(), ts }), /ts|number/i);
for (const url of [
  "javascript:alert(1)",
  "ftp://example.com/",
  "//example.com/",
  "/relative",
  "data:text/html,<script>alert(1)</script>",
  "https://",
  `https://example.com/${"a".repeat(2100)}`,
  "http://[::1",
])
  rejectedEvent(`url ${url.slice(0, 40)}`, () => ({ ...base(), url }), /url must be/);
rejectedEvent("pageview without url", () => ({ ...base(), url: undefined }), /url is required/);
rejectedEvent(
  "referrer 2,049 characters",
  () => ({ ...base(), referrer: "r".repeat(2049) }),
  /referrer must be at most/,
);
rejectedEvent(
  "title 513 characters",
  () => ({ ...base(), title: "t".repeat(513) }),
  /title must be at most/,
);
rejectedEvent(
  "title a lone surrogate",
  () => ({ ...base(), title: "\udfff" }),
  /well-formed Unicode/,
);
rejectedEvent(
  "name on a pageview",
  () => ({ ...base(), name: "x" }),
  /name is only allowed on type event/,
);
rejectedEvent("event without a name", () => ({ ...ev({}), name: undefined }), /name is required/);
rejectedEvent("name empty", () => ev({ name: "" }), /name must not be empty/);
rejectedEvent(
  "name 121 characters",
  () => ev({ name: "n".repeat(121) }),
  /name must be at most 120/,
);
for (const c of ["\u0000", "\u0001", "\u001f", "\u001b", "\n", "\u007f", "\u0085"])
  rejectedEvent(
    `name with control character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    () => ev({ name: `sign${c}up` }),
    /control characters/,
  );
rejectedEvent("name a lone surrogate", () => ev({ name: "\ud83d" }), /well-formed Unicode/);
rejectedEvent(
  "identify without userId",
  () => ({ ...base(), type: "identify", url: undefined }),
  /userId is required/,
);
rejectedEvent(
  "userId 65 characters",
  () => ({ ...base(), type: "identify", url: undefined, userId: "u".repeat(65) }),
  /userId must be at most 64/,
);
for (const [what, props, reason] of [
  ["an array", ["a"], /record|object/],
  ["a string", "plan=pro", /record|object/],
  ["a nested object", { plan: { tier: "pro" } }, /Invalid input/],
  ["an array value", { plan: ["pro"] }, /Invalid input/],
  [
    "33 keys",
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
    /at most 32 keys/,
  ],
  // "$" and non-ASCII keys are stored escaped, not refused: test/propKeys.test.ts.
  ["key __proto__", JSON.parse('{"__proto__":1}'), /"__proto__" is reserved/],
  [
    "key __proto__ with an object",
    JSON.parse('{"__proto__":{"polluted":true}}'),
    /Invalid input|reserved/,
  ],
  ["key with a control character", { "a\u0001b": 1 }, /must not contain control characters/],
  ["key 65 characters", { ["k".repeat(65)]: 1 }, /longer than 64/],
  ["empty key", { "": 1 }, /must not be empty/],
  ["value 513 characters", { plan: "p".repeat(513) }, /at most 512/],
  ["value a lone surrogate", { plan: "\ud800" }, /well-formed Unicode/],
] as const)
  rejectedEvent(`props ${what}`, () => ev({ props }), reason);
for (const [what, traits, reason] of [
  ["key __proto__", JSON.parse('{"__proto__":"x"}'), /reserved/],
  ["key with a lone surrogate", { "a\ud800": 1 }, /well-formed Unicode/],
  [
    "33 keys",
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
    /at most 32 keys/,
  ],
] as const)
  rejectedEvent(
    `traits ${what}`,
    () => ({ ...base(), type: "identify", url: undefined, userId: "u1", traits }),
    reason,
  );

// Numbers JSON.stringify can't write (it sends null): the raw text carries them.
const rawEvent = (name: string, field: string, reason: RegExp) =>
  route(
    `event ${name} (raw JSON)`,
    () =>
      post(
        null,
        {},
        `{"key":${JSON.stringify(h.writeKey)},"events":[${JSON.stringify(ev({})).slice(0, -1)},${field}}]}`,
      ),
    { status: 202, rejected: reason },
  );
rawEvent("props value 1e400 (Infinity)", '"props":{"n":1e400}', /finite|Invalid input/);
rawEvent("props value -1e400", '"props":{"n":-1e400}', /finite|Invalid input/);
rawEvent("ts 1e400", '"ts":1e400', /ts|number/);

// ------------------------------------------------------------------ read facades

const facadeCases: Case[] = [];
const facade = (entry: string, name: string, run: () => Promise<unknown>, expect: Expect) =>
  facadeCases.push({ entry, name, run, expect });
const range = () => ({ from: NOW - 2 * HOUR, to: NOW });
const readArgs = {
  getOverview: () => ({ siteId: h.siteId, ...range() }),
  getTimeseries: () => ({ siteId: h.siteId, ...range(), interval: "hour" }),
  getBreakdown: () => ({ siteId: h.siteId, ...range(), dimension: "page" }),
  getEventProperties: () => ({
    siteId: h.siteId,
    ...range(),
    eventName: "signup",
    property: "plan",
  }),
  listEvents: () => ({ siteId: h.siteId, paginationOpts: { numItems: 10, cursor: null } }),
  listSessions: () => ({ siteId: h.siteId, paginationOpts: { numItems: 10, cursor: null } }),
  getRealtime: () => ({ siteId: h.siteId }),
  getGoals: () => ({ siteId: h.siteId, ...range() }),
  listFunnels: () => ({ siteId: h.siteId }),
  getFunnel: () => ({ siteId: h.siteId, ...range(), funnelId: "none" }),
} as const;
type ReadName = keyof typeof readArgs;
const reads = Object.keys(readArgs) as ReadName[];

for (const fn of reads) {
  facade(
    "read",
    `${fn}: anonymous caller`,
    () => call(h.t, "query", api.analytics[fn], readArgs[fn]()),
    { throws: /Sign in to call/ },
  );
  facade(
    "read",
    `${fn}: another site's id, auth approving only this one`,
    () => scoped().read(fn, { ...readArgs[fn](), siteId: other.siteId }),
    { throws: /forbidden/ },
  );
  for (const siteId of ["nope", "", "'; DROP TABLE sites; --"])
    facade(
      "read",
      `${fn}: siteId ${JSON.stringify(siteId)}`,
      () => call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), siteId }),
      { throws: /no site with id/, code: "invalid_argument" },
    );
  facade(
    "read",
    `${fn}: siteId a number`,
    () => call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), siteId: 1 }),
    { throws: /Validator|siteId/ },
  );
}
for (const fn of ["getOverview", "getTimeseries", "getBreakdown", "getEventProperties"] as const) {
  for (const [what, bounds] of [
    ["from NaN", { from: NaN }],
    ["to Infinity", { to: Infinity }],
    ["from -Infinity", { from: -Infinity }],
  ] as const)
    facade(
      "read",
      `${fn}: ${what}`,
      () => call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), ...bounds }),
      { throws: /finite numbers/, code: "invalid_argument" },
    );
  facade(
    "read",
    `${fn}: from after to`,
    () =>
      call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), from: NOW, to: NOW - HOUR }),
    { throws: /from must be before to/, code: "invalid_argument" },
  );
  facade(
    "read",
    `${fn}: a 10-year range`,
    () =>
      call(h.admin, "query", api.analytics[fn], {
        ...readArgs[fn](),
        from: NOW - 3650 * 24 * HOUR,
        to: NOW,
      }),
    { throws: /the range must be at most/, code: "invalid_argument" },
  );
  facade(
    "read",
    `${fn}: from a string`,
    () => call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), from: "yesterday" }),
    { throws: /Validator/ },
  );
}
// Filters (contract §7) are checked by the component, whichever read carries them: each bad one is
// named, and nothing is read for it.
const FILTERED_READS = [
  "getOverview",
  "getTimeseries",
  "getBreakdown",
  "getEventProperties",
  "getGoals",
  "listEvents",
  "listSessions",
] as const;
for (const fn of FILTERED_READS) {
  for (const [what, filters, message] of [
    ["filters an object", { 0: ["is", "page", ["/"]] }, /Validator/],
    ["a filter a string", ["is page /"], /filters\[0\] must be \[operator, dimension, values\]/],
    ["operator __proto__", [["__proto__", "page", ["/"]]], /filters\[0\]: operator/],
    ["dimension constructor", [["is", "constructor", ["/"]]], /filters\[0\]: dimension/],
    ["dimension prop:__proto__", [["is", "prop:__proto__", ["x"]]], /not a property key/],
    ["a value a number", [["is", "page", [1]]], /values\[0\] must be a string/],
    ["a value with a control character", [["is", "source", ["a\u0000b"]]], /printable text/],
    ["a 301-character value", [["contains", "page", ["x".repeat(301)]]], /at most 300/],
    ["21 values", [["is", "country", Array.from({ length: 21 }, (_, i) => `c${i}`)]], /1 to 20/],
    ["11 filters", Array.from({ length: 11 }, () => ["is", "page", ["/"]]), /at most 10 filters/],
  ] as const)
    facade(
      "read",
      `${fn}: ${what}`,
      () => call(h.admin, "query", api.analytics[fn], { ...readArgs[fn](), filters }),
      what === "filters an object"
        ? { throws: message }
        : { throws: message, code: "invalid_argument" },
    );
}
// Another site's funnel id is refused the same way: test/filters.test.ts (it creates one).
for (const funnelId of ["", "nope", "'; DROP TABLE funnels; --"])
  facade(
    "read",
    `getFunnel: funnelId ${JSON.stringify(funnelId)}`,
    () => h.admin.query(api.analytics.getFunnel, { ...readArgs.getFunnel(), funnelId }),
    { throws: /funnelId: no funnel with id/, code: "invalid_argument" },
  );
for (const limit of [0, -1, 1.5, 101, NaN, 1e308])
  facade(
    "read",
    `getBreakdown: limit ${limit}`,
    () =>
      h.admin.query(api.analytics.getBreakdown, {
        ...readArgs.getBreakdown(),
        dimension: "page",
        limit,
      }),
    { throws: /limit must be an integer from 1 to 100/, code: "invalid_argument" },
  );
facade(
  "read",
  "getBreakdown: dimension __proto__",
  () =>
    h.admin.query(api.analytics.getBreakdown, {
      ...readArgs.getBreakdown(),
      dimension: "__proto__",
    } as never),
  { throws: /Validator/ },
);
facade(
  "read",
  "getTimeseries: interval minute",
  () =>
    h.admin.query(api.analytics.getTimeseries, {
      ...readArgs.getTimeseries(),
      interval: "minute",
    } as never),
  { throws: /Validator/ },
);
for (const fn of ["listEvents", "listSessions"] as const) {
  for (const [what, cursor] of [
    ['["\\uffff"]', '["\uffff"]'],
    ["[{}]", "[{}]"],
    ["[]", "[]"],
    ["not JSON", "eyJ0cyI6MX0="],
    ["an object", '{"siteId":"x"}'],
    ["five parts", "[1,2,3,4,5]"],
    ["NaN time", "OTHER_NAN"],
    ["another site's key", "OTHER"],
    ["this site, but a string time", "SELF_STRING"],
    ["this site, after `to`", "SELF_AFTER"],
  ] as const) {
    facade(
      "read",
      `${fn}: cursor ${what}`,
      () => {
        const forged =
          cursor === "OTHER"
            ? JSON.stringify([other.siteId, NOW + HOUR, 0, "x"])
            : cursor === "OTHER_NAN"
              ? `["${h.siteId}", null, 0, "x"]`
              : cursor === "SELF_STRING"
                ? JSON.stringify([h.siteId, "9", 0, "x"])
                : cursor === "SELF_AFTER"
                  ? JSON.stringify([h.siteId, NOW + HOUR, 0, "x"])
                  : cursor;
        return scoped().read(fn, {
          siteId: h.siteId,
          to: NOW,
          paginationOpts: { numItems: 100, cursor: forged },
        });
      },
      { throws: /paginationOpts.cursor is not a cursor/, code: "invalid_argument" },
    );
  }
  for (const numItems of [0, -1, 1.5, NaN])
    facade(
      "read",
      `${fn}: numItems ${numItems}`,
      () =>
        h.admin.query(api.analytics[fn], {
          siteId: h.siteId,
          paginationOpts: { numItems, cursor: null },
        }),
      { throws: /numItems must be a positive integer/, code: "invalid_argument" },
    );
}

// ------------------------------------------------------------------ admin facades

const adminArgs = {
  createSite: () => ({ slug: "new-site", name: "New" }),
  updateSite: () => ({ siteId: h.siteId, name: "Renamed" }),
  rotateWriteKey: () => ({ siteId: h.siteId }),
  getSite: () => ({ siteId: h.siteId }),
  listSites: () => ({}),
  importEvents: () => ({ siteId: h.siteId, events: [] }),
  getHealth: () => ({ siteId: h.siteId, now: Date.now() }),
  runMaintenance: () => ({ siteId: h.siteId }),
  requeueFailed: () => ({ siteId: h.siteId }),
  createGoal: () => ({ siteId: h.siteId, name: "Signup", kind: "event", eventName: "signup" }),
  listGoals: () => ({ siteId: h.siteId }),
  deleteGoal: () => ({ goalId: "nope" }),
} as const;
const isQuery = (fn: string) =>
  fn === "getSite" || fn === "listSites" || fn === "getHealth" || fn === "listGoals";
for (const fn of Object.keys(adminArgs) as (keyof typeof adminArgs)[]) {
  if (fn === "listSites") continue; // filters rather than throws: the case below
  facade(
    "admin",
    `${fn}: anonymous caller`,
    () =>
      isQuery(fn)
        ? call(h.t, "query", api.analytics[fn], adminArgs[fn]())
        : call(h.t, "mutation", api.analytics[fn], adminArgs[fn]()),
    { throws: /Sign in as an administrator/ },
  );
}
const s = () => scoped();
facade(
  "admin",
  "listSites: anonymous caller sees no site",
  async () => {
    const sites = await h.t.query(api.analytics.listSites, {});
    if (sites.length > 0) return sites;
    throw new Error("listed none");
  },
  { throws: /listed none/ },
);
facade("admin", "getSite: another site by slug", () => s().query("getSite", { slug: "other" }), {
  throws: /forbidden: getSite on/,
});
facade(
  "admin",
  "getSite: another site by id",
  () => s().query("getSite", { siteId: other.siteId }),
  { throws: /forbidden: getSite on/ },
);
facade(
  "admin",
  "getSite: an unknown slug (no existence oracle)",
  () => s().query("getSite", { slug: "nobody" }),
  { throws: /forbidden: getSite on all sites/ },
);
facade(
  "admin",
  "getSite: neither siteId nor slug",
  () => h.admin.query(api.analytics.getSite, {}),
  { throws: /pass exactly one of siteId or slug/ },
);
facade(
  "admin",
  "getSite: both siteId and slug",
  () => h.admin.query(api.analytics.getSite, { siteId: h.siteId, slug: "other" }),
  { throws: /pass exactly one of siteId or slug/ },
);
facade(
  "admin",
  "updateSite: another site",
  () => s().mutate("updateSite", { siteId: other.siteId, status: "disabled" }),
  { throws: /forbidden/ },
);
facade(
  "admin",
  "rotateWriteKey: another site",
  () => s().mutate("rotateWriteKey", { siteId: other.siteId }),
  { throws: /forbidden/ },
);
facade(
  "admin",
  "importEvents: into another site",
  () => s().mutate("importEvents", { siteId: other.siteId, events: [base()] }),
  { throws: /forbidden/ },
);
facade(
  "admin",
  "getHealth: another site",
  () => s().query("getHealth", { siteId: other.siteId, now: Date.now() }),
  {
    throws: /forbidden/,
  },
);
facade(
  "admin",
  "runMaintenance: another site",
  () => s().mutate("runMaintenance", { siteId: other.siteId }),
  { throws: /forbidden/ },
);
facade(
  "admin",
  "runMaintenance: every site, by a per-site admin",
  () => s().mutate("runMaintenance", {}),
  { throws: /forbidden: runMaintenance on all sites/ },
);
facade(
  "admin",
  "createSite: by a per-site admin",
  () => s().mutate("createSite", { slug: "mine", name: "Mine" }),
  { throws: /forbidden: createSite on all sites/ },
);
for (const [what, args, message] of [
  ["slug with a script tag", { slug: "<script>" }, /slug must be/],
  ["slug with a space", { slug: "a b" }, /slug must be/],
  ["empty slug", { slug: "" }, /slug must be/],
  ["slug 65 characters", { slug: "s".repeat(65) }, /slug must be/],
  ["non-ASCII slug", { slug: "ünï" }, /slug must be/],
  ["duplicate slug", { slug: "other" }, /already exists/],
  ["name of spaces", { name: "   " }, /name must not be empty/],
  ["name 201 characters", { name: "n".repeat(201) }, /name must be at most 200/],
  ["domain with a scheme", { domain: "https://example.com" }, /domain must be/],
  ["domain with HTML", { domain: "<b>x</b>.com" }, /domain must be/],
  ["origin with a path", { allowedOrigins: ["https://example.com/x"] }, /allowedOrigins entries/],
  ["origin javascript:", { allowedOrigins: ["javascript:alert(1)"] }, /allowedOrigins entries/],
  [
    "51 origins",
    { allowedOrigins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example`) },
    /at most 50/,
  ],
  ["timezone ../../etc/passwd", { timezone: "../../etc/passwd" }, /timezone must be an IANA/],
  ["writeKey 'aaaa…' (40)", { writeKey: "a".repeat(40) }, /writeKey must use at least 10 distinct/],
  ["writeKey of 16 characters", { writeKey: "Zq3v9LmP2xR7tY4b" }, /writeKey must be at least 32/],
  [
    "writeKey 'abcdefghij' repeated",
    { writeKey: "aaaaaaaaaaaaaaaaaaaaaaabcdefghij" },
    /writeKey must be random/,
  ],
  [
    "writeKey with spaces",
    { writeKey: "Zq3v9LmP 2xR7tY4b N8cK1dF6 gH0jS5aW" },
    /printable ASCII without spaces/,
  ],
  ["writeKey already in use", { writeKey: "REUSE" }, /already used by another site/],
] as const)
  facade(
    "admin",
    `createSite: ${what}`,
    () =>
      h.admin.mutation(api.analytics.createSite, {
        ...NEW_SITE,
        ...args,
        ...(args.writeKey === "REUSE" ? { writeKey: STRONG_KEY } : {}),
      } as never),
    { throws: message, code: "invalid_argument" },
  );
for (const [what, settings, message] of [
  ["ingestRatePerMinute 0", { ingestRatePerMinute: 0 }, /ingestRatePerMinute must be between/],
  ["ingestRatePerMinute NaN", { ingestRatePerMinute: NaN }, /ingestRatePerMinute/],
  ["ingestRatePerMinute Infinity", { ingestRatePerMinute: Infinity }, /ingestRatePerMinute/],
  ["ingestRatePerMinute 1e9", { ingestRatePerMinute: 1e9 }, /ingestRatePerMinute must be between/],
  [
    "ingestRatePerMinute a string",
    { ingestRatePerMinute: "100" },
    /ingestRatePerMinute must be a number/,
  ],
  ["retentionDays -1", { retentionDays: -1 }, /retentionDays must be between/],
  ["an unknown setting", { sessionTimeout: 1 }, /Unrecognized key/],
  [
    "a key both allowed and denied",
    { allowedPropertyKeys: ["plan"], deniedPropertyKeys: ["plan"] },
    /both allowed and denied/,
  ],
  [
    "a property key with a control character",
    { allowedPropertyKeys: ["a\u0000"] },
    /control characters/,
  ],
  ["settings a string", "fast", /expected object/],
] as const)
  facade(
    "admin",
    `updateSite: settings ${what}`,
    () => h.admin.mutation(api.analytics.updateSite, { siteId: h.siteId, settings }),
    { throws: message, code: "invalid_argument" },
  );
facade(
  "admin",
  "updateSite: status hacked",
  () => h.admin.mutation(api.analytics.updateSite, { siteId: h.siteId, status: "root" } as never),
  { throws: /Validator/ },
);
facade(
  "admin",
  "updateSite: a site id of another table",
  () => h.admin.mutation(api.analytics.updateSite, { siteId: "events|123", name: "x" }),
  { throws: /no site with id/, code: "invalid_argument" },
);

// importEvents: per-event rejections never fail the call; only the batch size does.
const importCase = (name: string, events: () => unknown[], reason: RegExp) =>
  facade(
    "importEvents",
    name,
    () => h.admin.mutation(api.analytics.importEvents, { siteId: h.siteId, events: events() }),
    { status: 202, rejected: reason },
  );
importCase(
  "an event dated year 3000",
  () => [pageview("f1", Date.UTC(3000, 0, 1), "/")],
  /more than 5 minutes in the future/,
);
importCase(
  "an event at Number.MAX_SAFE_INTEGER",
  () => [pageview("f2", Number.MAX_SAFE_INTEGER, "/")],
  /in the future/,
);
importCase("ts NaN", () => [pageview("f3", NaN, "/")], /ts/);
importCase("ts Infinity", () => [pageview("f4", Infinity, "/")], /ts/);
importCase("ts 1e308", () => [pageview("f5", 1e308, "/")], /ts must be an integer|in the future/);
importCase(
  "an event as JSON text with a control character in a prop key",
  () => [JSON.stringify({ ...pageview("f6", NOW - HOUR, "/"), props: { "$\u0000": "Chrome" } })],
  /must not contain control characters/,
);
importCase("an event as text that is not JSON", () => ["{oops"], /must be a JSON object/);
importCase("an event as JSON text of a number", () => ["12"], /expected object/);
importCase(
  "an event without visitorId or ip",
  () => [{ ...pageview("f8", NOW - HOUR, "/"), visitorId: undefined }],
  /visitorId is required/,
);
importCase(
  "ip 65 characters",
  () => [{ ...pageview("f9", NOW - HOUR, "/"), ip: "1".repeat(65) }],
  /ip must be at most 64/,
);
importCase(
  "userAgent a lone surrogate",
  () => [{ ...pageview("f10", NOW - HOUR, "/"), userAgent: "\ud800" }],
  /well-formed Unicode/,
);
importCase(
  "an event of type 'admin'",
  () => [{ ...pageview("f11", NOW - HOUR, "/"), type: "admin" }],
  /type must be one of/,
);
importCase(
  "an event under __proto__",
  () => [JSON.parse('{"__proto__":{"type":"pageview"}}')],
  /type must be one of|expected/,
);
facade(
  "importEvents",
  "501 events",
  () =>
    h.admin.mutation(api.analytics.importEvents, {
      siteId: h.siteId,
      events: Array.from({ length: 501 }, () => 0),
    }),
  { throws: /at most 500 events/, code: "invalid_argument" },
);
facade(
  "importEvents",
  "into an unknown site",
  () => h.admin.mutation(api.analytics.importEvents, { siteId: "nope", events: [] }),
  { throws: /no site with id/, code: "invalid_argument" },
);

const NEW_SITE = { slug: "new-site", name: "New" };
const STRONG_KEY = "wk_Zq3v9LmP2xR7tY4bN8cK1dF6gH0jS5aW";

// ------------------------------------------------------------------ running the tables

function errorOf(caught: unknown) {
  const e = caught as { message?: string; data?: unknown };
  const data = typeof e.data === "string" ? JSON.parse(e.data) : e.data;
  return {
    message: `${e.message ?? ""} ${JSON.stringify(data ?? "")}`,
    code: (data as { code?: string })?.code,
  };
}

async function check(c: Case) {
  let outcome: unknown;
  let thrown: unknown;
  try {
    outcome = await c.run();
  } catch (e) {
    thrown = e;
  }
  const x = c.expect;
  if ("throws" in x) {
    expect(thrown, `${c.name}: expected an error`).toBeDefined();
    const { message, code } = errorOf(thrown);
    expect(message).toMatch(x.throws);
    if (x.code) expect(code).toBe(x.code);
    return;
  }
  if (thrown) throw thrown;
  // importEvents answers the 202 body itself; the route answers HTTP.
  const http = (outcome as HttpAnswer).headers
    ? (outcome as HttpAnswer)
    : { status: 202, headers: null, body: outcome };
  expect(http.status).toBe(x.status);
  if (http.headers) {
    expect(http.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
    expect(http.headers.get("Access-Control-Allow-Methods")).toBe("POST, OPTIONS");
  }
  if (x.code) {
    expect(http.body.error.code).toBe(x.code);
    expect(http.body.error.message).toEqual(expect.any(String));
  }
  if (x.rejected) {
    expect(http.body.accepted).toBe(0);
    expect(http.body.rejected).toHaveLength(1);
    expect(http.body.rejected[0].reason).toMatch(x.rejected);
  }
  if (x.filtered !== undefined)
    expect([http.body.accepted, http.body.filtered]).toEqual([0, x.filtered]);
}

const cases = [...routeCases, ...facadeCases];

describe(`hostile inputs: ${cases.length} cases, then hostile strings stored as data`, () => {
  beforeAll(async () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    h = await createHarness({ allowedOrigins: ["https://example.com"] });
    other = await addSite(h, "other");
    disabled = await addSite(h, "off");
    await h.admin.mutation(api.analytics.createSite, {
      slug: "keyed",
      name: "Keyed",
      writeKey: STRONG_KEY,
    });
    await h.admin.mutation(api.analytics.updateSite, {
      siteId: disabled.siteId,
      status: "disabled",
    });
    // Some data of both sites, so that a leak or a change would show.
    await h.send([
      pageview("a1", NOW - HOUR, "/a"),
      {
        ...pageview("a2", NOW - HOUR, "/a"),
        type: "event",
        name: "signup",
        props: { plan: "pro" },
      },
    ]);
    await other.send([pageview("b-secret", NOW - HOUR, "/b-secret")]);
    await h.settle();
    const counts: Record<string, number> = {};
    for (const c of cases) counts[c.entry] = (counts[c.entry] ?? 0) + 1;
    console.log(
      `hostile cases: ${cases.length} (${Object.entries(counts)
        .map(([e, n]) => `${e} ${n}`)
        .join(", ")})`,
    );
  });
  afterAll(() => vi.useRealTimers());

  it("has at least 150 cases over every public entry", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.entry))).toEqual(
      new Set(["route", "read", "admin", "importEvents"]),
    );
  });

  for (const c of cases) {
    it(`${c.entry} · ${c.name}`, async () => {
      const before = await snapshot();
      await check(c);
      await h.settle();
      expect(await snapshot()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it("listSites shows a per-site admin only their site, and auth saw each site's id", async () => {
    seenAuth.length = 0;
    const sites = await scoped().query("listSites", {});
    expect(sites.map((site: { slug: string }) => site.slug)).toEqual(["example"]);
    expect(seenAuth.every((r) => r.fn === "listSites" && typeof r.siteId === "string")).toBe(true);
    expect(seenAuth).toHaveLength(4);
  });

  const hostileStrings = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "{{constructor.constructor('alert(1)')()}}",
    "${process.exit(1)}",
    "../../../etc/passwd",
    "%00%0d%0a",
    "\u202eevil\u202c",
    "😀 ünïcödé 日本語",
  ];
  it(`stores ${hostileStrings.length} hostile strings as data, byte for byte, and interprets none`, async () => {
    const before = (await tableCounts(h)).events;
    const events = hostileStrings.map((text, i) => ({
      ...pageview(`x${i}`, NOW - 30 * 60_000, `/x${i}`),
      type: "event",
      name: text,
      title: text,
      props: { text },
    }));
    const response = await send(events, { "User-Agent": USER_AGENT });
    expect([response.status, response.body.accepted]).toEqual([202, hostileStrings.length]);
    expect((await tableCounts(h)).events).toBe(before + hostileStrings.length);
    const { page } = await h.admin.query(api.analytics.listEvents, {
      siteId: h.siteId,
      paginationOpts: { numItems: 100, cursor: null },
    });
    for (const [i, text] of hostileStrings.entries()) {
      const stored = page.find((e) => e.eventId === `x${i}`)!;
      expect([stored.name, stored.title, stored.props]).toEqual([text, text, { text }]);
    }
    await h.settle();
    const breakdown = await h.admin.query(api.analytics.getBreakdown, {
      siteId: h.siteId,
      from: NOW - HOUR,
      to: NOW,
      dimension: "event",
      limit: 100,
    });
    for (const text of hostileStrings) expect(breakdown.rows.map((r) => r.key)).toContain(text);
  });
});
