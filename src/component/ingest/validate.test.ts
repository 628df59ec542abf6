// What validate.ts accepts and the exact reasons it gives for what it refuses. The reasons are
// API (contract §2: a rejection names the field), and several come from zod itself: zod/mini carries
// no messages of its own, so validate.ts registers zod's English locale as full zod did. The
// rows with "Invalid input: …", "Too small: …", "Too big: …" and "Unrecognized key" are
// those, and were checked against the full-zod validate.ts this file replaced.
import { describe, expect, it } from "vitest";
import { MAX_PROPS, MAX_TRAITS, SETTING_BOUNDS } from "../lib/limits.js";
import {
  describeIssues,
  domainSchema,
  importEventSchema,
  ingestBodySchema,
  ingestEventSchema,
  originsSchema,
  parseOrThrow,
  settingsPatchSchema,
  siteNameSchema,
  slugSchema,
  timezoneSchema,
  writeKeySchema,
} from "./validate.js";

const pageview = {
  type: "pageview",
  id: "e1",
  visitorId: "v1",
  sessionId: "s1",
  url: "https://example.com/a",
};
const event = { ...pageview, type: "event", name: "signup" };
const engagement = { ...pageview, type: "engagement", scrollDepth: 62, engagedMs: 14_500 };
const manyKeys = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const ORIGIN_RULE =
  "allowedOrigins entries must be origins such as https://example.com (scheme and host, optional port, no path or trailing slash)";

/** `null` when the value is accepted, else describeIssues' reason. */
function reason(schema: typeof ingestEventSchema | typeof importEventSchema, input: unknown) {
  const result = schema.safeParse(input);
  return result.success ? null : describeIssues(result.error);
}

describe("ingest events", () => {
  it.each<[string, unknown, string | null]>([
    ["a pageview", pageview, null],
    ["an event", event, null],
    ["an identify", { ...pageview, type: "identify", userId: "u1" }, null],
    ["a heartbeat", { ...pageview, type: "heartbeat" }, null],
    ["ts 0", { ...pageview, ts: 0 }, null],
    ["an engagement", { ...engagement }, null],
    ["an engagement of two hours (cut when stored)", { ...engagement, engagedMs: 7.2e6 }, null],
    ["a non-interactive event", { ...event, interactive: false }, null],
    [
      "an engagement past 100 %",
      { ...engagement, scrollDepth: 150 },
      "scrollDepth must be between 0 and 100 (percent)",
    ],
    [
      "an engagement with negative time",
      { ...engagement, engagedMs: -1 },
      "engagedMs must be at least 0",
    ],
    [
      "an engagement without its time",
      { ...engagement, engagedMs: undefined },
      "engagedMs is required for engagement",
    ],
    [
      "an engagement without a url",
      { ...engagement, url: undefined },
      "url is required for engagement",
    ],
    [
      "scroll depth on a pageview",
      { ...pageview, scrollDepth: 10 },
      "scrollDepth is only allowed on type engagement",
    ],
    [
      "interactive on a pageview",
      { ...pageview, interactive: false },
      "interactive is only allowed on type event",
    ],
    ["a string interactive", { ...event, interactive: "no" }, "interactive must be a boolean"],
    ["32 props", { ...event, props: manyKeys(MAX_PROPS) }, null],
    ["prop values of each kind", { ...event, props: { a: "x", b: 1.5, c: true, d: null } }, null],
    ["an array", [], "Invalid input: expected object, received array"],
    ["null", null, "Invalid input: expected object, received null"],
    ["a string", "pageview", "Invalid input: expected object, received string"],
    [
      "an unknown type",
      { ...pageview, type: "click" },
      "type must be one of pageview, event, identify, heartbeat, engagement",
    ],
    ["a number id", { ...pageview, id: 1 }, "id must be a string"],
    ["an empty id", { ...pageview, id: "" }, "id must not be empty"],
    ["a long id", { ...pageview, id: "a".repeat(65) }, "id must be at most 64 characters"],
    [
      "a lone surrogate",
      { ...pageview, visitorId: "a\ud800" },
      "visitorId must be well-formed Unicode (no lone surrogates)",
    ],
    ["no sessionId", { ...pageview, sessionId: undefined }, "sessionId must be a string"],
    [
      "a string ts",
      { ...pageview, ts: "1" },
      "ts: Invalid input: expected number, received string",
    ],
    ["a fractional ts", { ...pageview, ts: 1.5 }, "ts must be an integer (ms since epoch)"],
    [
      "an unsafe integer ts",
      { ...pageview, ts: 2 ** 53 },
      "ts must be an integer (ms since epoch)",
    ],
    ["a negative ts", { ...pageview, ts: -1 }, "ts: Too small: expected number to be >=0"],
    // zod's integer check stops the number's other checks: one reason, not two.
    [
      "a fractional negative ts",
      { ...pageview, ts: -1.5 },
      "ts must be an integer (ms since epoch)",
    ],
    ["an ftp url", { ...pageview, url: "ftp://x.y" }, "url must be an absolute http(s) URL"],
    ["a relative url", { ...pageview, url: "/a" }, "url must be an absolute http(s) URL"],
    ["a keepHash that is no boolean", { ...pageview, keepHash: 1 }, "keepHash must be a boolean"],
    ["a pageview without url", { ...pageview, url: undefined }, "url is required for pageview"],
    [
      "a heartbeat without url",
      { ...pageview, type: "heartbeat", url: undefined },
      "url is required for heartbeat",
    ],
    ["an event without name", { ...event, name: undefined }, "name is required for type event"],
    ["an empty name", { ...event, name: "" }, "name must not be empty"],
    [
      "a name with a control character",
      { ...event, name: "a\u0085" },
      "name must not contain control characters",
    ],
    ["a name on a pageview", { ...pageview, name: "x" }, "name is only allowed on type event"],
    [
      "an identify without userId",
      { ...pageview, type: "identify" },
      "userId is required for type identify",
    ],
    [
      "props that are not an object",
      { ...event, props: "x" },
      "props: Invalid input: expected record, received string",
    ],
    ["an object prop value", { ...event, props: { a: {} } }, "props.a: Invalid input"],
    ["an array prop value", { ...event, props: { a: [1] } }, "props.a: Invalid input"],
    [
      "a long prop value",
      { ...event, props: { a: "x".repeat(513) } },
      "props.a: property values must be at most 512 characters",
    ],
    // Keys Convex can't take as field names are stored escaped (ingest/propKeys.ts).
    ["a prop key starting with $", { ...event, props: { $a: 1 } }, null],
    [
      "a prop key with a control character",
      { ...event, props: { "a\u0001": 1 } },
      `props.a\u0001: property key "a\\u0001" must not contain control characters`,
    ],
    [
      "a prop key with a lone surrogate",
      { ...event, props: { "a\ud800": 1 } },
      `props.a\ud800: property key "a\\ud800" must be well-formed Unicode (no lone surrogates)`,
    ],
    [
      "an empty prop key",
      { ...event, props: { "": 1 } },
      "props.: property keys must not be empty",
    ],
    ["a non-ASCII prop key", { ...event, props: { é: 1 } }, null],
    [
      "a long prop key",
      { ...event, props: { ["k".repeat(65)]: 1 } },
      `props.${"k".repeat(65)}: property key "${"k".repeat(20)}…" is longer than 64 characters`,
    ],
    [
      "a __proto__ prop key (as JSON.parse makes it)",
      { ...event, props: JSON.parse('{"__proto__": 1}') },
      `props.__proto__: property key "__proto__" is reserved`,
    ],
    ["33 props", { ...event, props: manyKeys(MAX_PROPS + 1) }, "props may have at most 32 keys"],
    [
      "33 traits",
      { ...pageview, type: "identify", userId: "u", traits: manyKeys(MAX_TRAITS + 1) },
      "traits may have at most 32 keys",
    ],
    [
      "many faults (the first three are named)",
      { type: "event", id: "", visitorId: 1, sessionId: "", ts: -1 },
      "id must not be empty; ts: Too small: expected number to be >=0; visitorId must be a string",
    ],
  ])("%s", (_, input, expected) => {
    expect(reason(ingestEventSchema, input)).toBe(expected);
  });

  it("drops unknown fields and keeps the known ones", () => {
    const result = ingestEventSchema.safeParse({ ...pageview, extra: 1, ts: 5 });
    expect(result.success && result.data).toEqual({ ...pageview, ts: 5 });
  });
});

describe("import events", () => {
  const { visitorId: _v, sessionId: _s, ...anonymous } = pageview;
  it.each<[string, unknown, string | null]>([
    ["an event with ip instead of ids", { ...anonymous, ip: "1.2.3.4" }, null],
    ["an event with ids", pageview, null],
    ["neither visitorId nor ip", anonymous, "visitorId is required (or ip to derive it)"],
    // The rules across fields run only once every field passes on its own.
    ["a long ip", { ...anonymous, ip: "1".repeat(65) }, "ip must be at most 64 characters"],
    [
      "a long userAgent",
      { ...pageview, userAgent: "u".repeat(1025) },
      "userAgent must be at most 1024 characters",
    ],
    [
      "the ingest rules",
      { ...anonymous, ip: "x", name: "n" },
      "name is only allowed on type event",
    ],
  ])("%s", (_, input, expected) => {
    expect(reason(importEventSchema, input)).toBe(expected);
  });
});

describe("the request body", () => {
  it.each<[string, unknown, string | null]>([
    ["events and a key", { key: "k", events: [1, "x"] }, null],
    ["events only", { events: [] }, null],
    ["a string", "x", "Invalid input: expected object, received string"],
    ["no events", {}, "events must be an array"],
    ["events not an array", { events: {} }, "events must be an array"],
    [
      "a number key",
      { key: 1, events: [] },
      "key: Invalid input: expected string, received number",
    ],
    [
      "a long key",
      { key: "k".repeat(129), events: [] },
      "key: Too big: expected string to have <=128 characters",
    ],
  ])("%s", (_, input, expected) => {
    const result = ingestBodySchema.safeParse(input);
    expect(result.success ? null : describeIssues(result.error)).toBe(expected);
  });
});

/** `null` when parseOrThrow accepts the value, else the ConvexError's message. */
function thrown(schema: Parameters<typeof parseOrThrow>[0], input: unknown, what: string) {
  try {
    parseOrThrow(schema, input, what);
    return null;
  } catch (error) {
    return (error as { data: { code: string; message: string } }).data.message;
  }
}

describe("admin arguments", () => {
  const { min, max } = SETTING_BOUNDS.retentionDays;
  it.each<[string, Parameters<typeof parseOrThrow>[0], unknown, string | null]>([
    ["no settings", settingsPatchSchema, {}, null],
    ["a setting", settingsPatchSchema, { retentionDays: 30, allowedPropertyKeys: ["plan"] }, null],
    [
      "settings not an object",
      settingsPatchSchema,
      [],
      "Invalid input: expected object, received array",
    ],
    ["an unknown setting", settingsPatchSchema, { other: 1 }, 'Unrecognized key: "other"'],
    ["unknown settings", settingsPatchSchema, { a: 1, b: 2 }, 'Unrecognized keys: "a", "b"'],
    [
      "a string setting",
      settingsPatchSchema,
      { retentionDays: "x" },
      "retentionDays must be a number",
    ],
    [
      "a fractional setting",
      settingsPatchSchema,
      { retentionDays: 1.5 },
      "retentionDays must be an integer",
    ],
    [
      "a setting out of bounds",
      settingsPatchSchema,
      { retentionDays: max + 1 },
      `retentionDays must be between ${min} and ${max}`,
    ],
    [
      "a key list that is not a list",
      settingsPatchSchema,
      { allowedPropertyKeys: "plan" },
      "allowedPropertyKeys: Invalid input: expected array, received string",
    ],
    [
      "a key list with a number",
      settingsPatchSchema,
      { deniedPropertyKeys: [1] },
      "deniedPropertyKeys.0: Invalid input: expected string, received number",
    ],
    [
      "a key list with a bad key",
      settingsPatchSchema,
      { allowedPropertyKeys: ["ok", "$a", "a\u0000"] },
      `allowedPropertyKeys.2: property key "a\\u0000" must not contain control characters`,
    ],
    [
      "a key list too long",
      settingsPatchSchema,
      { allowedPropertyKeys: Array.from({ length: 201 }, (_, i) => `k${i}`) },
      "allowedPropertyKeys may list at most 200 keys",
    ],
    ["a slug", slugSchema, "my-site-1", null],
    [
      "a slug with capitals",
      slugSchema,
      "My-site",
      "slug must be 1-64 lowercase letters, digits or '-', starting with a letter or digit",
    ],
    ["a number slug", slugSchema, 1, "Invalid input: expected string, received number"],
    ["a name", siteNameSchema, "  My site  ", null],
    ["a blank name", siteNameSchema, "   ", "name must not be empty"],
    ["a long name", siteNameSchema, "n".repeat(201), "name must be at most 200 characters"],
    ["a domain", domainSchema, "docs.example.com", null],
    [
      "a domain with a scheme",
      domainSchema,
      "https://example.com",
      "domain must be a lowercase host name such as example.com (no scheme, no path)",
    ],
    ["origins", originsSchema, ["https://example.com", "http://localhost:3000"], null],
    ["an origin with a path", originsSchema, ["https://example.com/"], `0: ${ORIGIN_RULE}`],
    [
      "a number origin",
      originsSchema,
      ["https://a.com", 1],
      "1: Invalid input: expected string, received number",
    ],
    [
      "too many origins",
      originsSchema,
      Array.from({ length: 51 }, (_, i) => `https://e${i}.com`),
      "allowedOrigins may list at most 50 origins",
    ],
    ["a time zone", timezoneSchema, "Europe/Paris", null],
    [
      "an unknown time zone",
      timezoneSchema,
      "Mars/Olympus",
      "timezone must be an IANA time zone such as Europe/Paris",
    ],
    ["a random write key", writeKeySchema, "aK9#xP2$mQ7!vL4&nR8*tY3@wZ6^bC1%", null],
    [
      "a short write key with a space",
      writeKeySchema,
      "ab c",
      "writeKey must be at least 32 characters; writeKey must be printable ASCII without spaces; writeKey must use at least 10 distinct characters",
    ],
    [
      "a repetitive write key",
      writeKeySchema,
      "0123456789" + "a".repeat(22),
      "writeKey must be random: at least 96 bits estimated from its characters (omit writeKey to get a generated one)",
    ],
  ])("%s", (_, schema, input, expected) => {
    expect(thrown(schema, input, "arg")).toBe(expected === null ? null : `arg: ${expected}`);
  });

  it("trims a site name", () => {
    expect(parseOrThrow(siteNameSchema, "  My site  ", "name")).toBe("My site");
  });

  it("throws invalid_argument", () => {
    expect(() => parseOrThrow(slugSchema, "A", "slug")).toThrow(
      expect.objectContaining({ data: expect.objectContaining({ code: "invalid_argument" }) }),
    );
  });
});
