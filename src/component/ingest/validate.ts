// Step 1 of the ingest pipeline: validate. zod at the edge, every bound from limits.ts, and
// messages that name the field that was wrong so a developer can fix the sender. This checks
// what arrives over the wire (HTTP bodies, imported events, host `track` calls); the Convex
// argument and return validators of the component's functions are lib/validators.ts.
//
// zod/mini, not zod: the same package and parser core, but functional and tree-shakable, so
// the component bundle carries only the schemas used here (full zod was most of the bundle).
import { ConvexError } from "convex/values";
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import {
  MAX_ALLOWED_ORIGINS,
  MAX_EVENT_NAME_LENGTH,
  MAX_ID_LENGTH,
  MAX_PROP_KEY_LENGTH,
  MAX_PROP_STRING_LENGTH,
  MAX_PROPERTY_KEY_LIST,
  MAX_PROPS,
  MAX_SITE_NAME_LENGTH,
  MAX_SLUG_LENGTH,
  MAX_TITLE_LENGTH,
  MAX_TRAITS,
  MAX_URL_LENGTH,
  MAX_WRITE_KEY_LENGTH,
  MIN_WRITE_KEY_DISTINCT_CHARS,
  MIN_WRITE_KEY_ENTROPY_BITS,
  MIN_WRITE_KEY_LENGTH,
  SETTING_BOUNDS,
} from "../lib/limits.js";
import { decodePropKey } from "./propKeys.js";
import { MAX_SCROLL_DEPTH } from "../lib/engagement.js";
import { isValidTimezone } from "../lib/time.js";

// Full zod registers its English messages ("Invalid input: expected string, received number",
// "Unrecognized key: ...") the first time a schema is built, unless a locale is already set;
// zod/mini registers none, and every default message would read "Invalid input". Doing what
// full zod does keeps the messages, and an app's own z.config locale still wins as before.
// (`z.config()` reads the config: going through `z.core` would keep all of zod's core, and
// `import { z }` instead of `import * as z` would keep all of zod/mini, locales included.)
if (!z.config().localeError) z.config(en());

export type PropValue = string | number | boolean | null;
export type Props = Record<string, PropValue>;

// Lone UTF-16 surrogates survive JSON.parse but are not Unicode text: a Convex deployment
// refuses them at insert, which would fail the whole batch instead of this one event.
const LONE_SURROGATE = /\p{Cs}/u;
// C0, DEL and C1 controls: never part of a name a person typed, and kept out of rollup keys.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** A string field: well-formed Unicode, at most `max` characters. */
const text = (what: string, max: number) =>
  z.string({ error: `${what} must be a string` }).check(
    z.maxLength(max, `${what} must be at most ${max} characters`),
    z.refine(
      (s) => !LONE_SURROGATE.test(s),
      `${what} must be well-formed Unicode (no lone surrogates)`,
    ),
  );

// Keys Convex can't take as field names ("$browser", "город") are stored escaped
// (ingest/propKeys.ts); the rules here apply to the key as sent, also when it arrives in its
// stored form. "__proto__" would be dropped by JSON handling on the way (zod,
// Object.entries), so it is refused by name rather than silently lost.
export function propKeyProblem(stored: string): string | null {
  const key = decodePropKey(stored);
  if (key.length === 0) return "property keys must not be empty";
  if (key === "__proto__") return `property key "__proto__" is reserved`;
  if (key.length > MAX_PROP_KEY_LENGTH)
    return `property key "${key.slice(0, 20)}…" is longer than ${MAX_PROP_KEY_LENGTH} characters`;
  if (LONE_SURROGATE.test(key))
    return `property key ${JSON.stringify(key)} must be well-formed Unicode (no lone surrogates)`;
  if (CONTROL_CHARS.test(key))
    return `property key ${JSON.stringify(key)} must not contain control characters`;
  return null;
}

const propKey = z.string().check(
  z.superRefine((key, ctx) => {
    const problem = propKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
);

const propValue = z.union([
  text("property values", MAX_PROP_STRING_LENGTH),
  z.number().check(z.refine(Number.isFinite, "property numbers must be finite")),
  z.boolean(),
  z.null(),
]);

function propsSchema(maxKeys: number, what: string) {
  // Checked on the input object: the parsed record no longer holds a "__proto__" key.
  return z.custom<Props>().check(
    z.superRefine((props, ctx) => {
      const parsed = z.record(z.string(), propValue).safeParse(props);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom" });
        return;
      }
      const keys = Object.keys(props as object);
      if (keys.length > maxKeys)
        ctx.addIssue({ code: "custom", message: `${what} may have at most ${maxKeys} keys` });
      for (const key of keys) {
        const problem = propKeyProblem(key);
        if (problem) ctx.addIssue({ code: "custom", path: [decodePropKey(key)], message: problem });
      }
    }),
  );
}

const id = (what: string) =>
  text(what, MAX_ID_LENGTH).check(z.refine((s) => s.length > 0, `${what} must not be empty`));

const absoluteUrl = (what: string) =>
  text(what, MAX_URL_LENGTH).check(
    z.refine(
      (u) => /^https?:\/\//i.test(u) && URL.canParse(u),
      `${what} must be an absolute http(s) URL`,
    ),
  );

const baseEvent = z.object({
  type: z.enum(["pageview", "event", "identify", "heartbeat", "engagement"], {
    error: "type must be one of pageview, event, identify, heartbeat, engagement",
  }),
  id: id("id"),
  // z.int() as a check, as full zod's .int() adds it: a non-number still gets zod's own message.
  ts: z.optional(
    z.number().check(z.int("ts must be an integer (ms since epoch)"), z.nonnegative()),
  ),
  visitorId: id("visitorId"),
  sessionId: id("sessionId"),
  url: z.optional(absoluteUrl("url")),
  // Hash-based routers (Plausible's `h`): the URL's #fragment is part of the page path.
  keepHash: z.optional(z.boolean("keepHash must be a boolean")),
  referrer: z.optional(text("referrer", MAX_URL_LENGTH)),
  title: z.optional(text("title", MAX_TITLE_LENGTH)),
  name: z.optional(
    text("name", MAX_EVENT_NAME_LENGTH).check(
      z.refine((s) => s.length > 0, "name must not be empty"),
      z.refine((s) => !CONTROL_CHARS.test(s), "name must not contain control characters"),
    ),
  ),
  props: z.optional(propsSchema(MAX_PROPS, "props")),
  /** false: a custom event that does not end a bounce (Plausible's `interactive: false`). */
  interactive: z.optional(z.boolean({ error: "interactive must be a boolean" })),
  scrollDepth: z.optional(
    z
      .number({ error: "scrollDepth must be a number" })
      .check(
        z.gte(0, `scrollDepth must be between 0 and ${MAX_SCROLL_DEPTH} (percent)`),
        z.lte(MAX_SCROLL_DEPTH, `scrollDepth must be between 0 and ${MAX_SCROLL_DEPTH} (percent)`),
      ),
  ),
  // Longer engaged times are cut to MAX_ENGAGED_MS_PER_EVENT when enriched, not refused: a tab
  // left open and focused for an hour is a real visit, only its time is capped.
  engagedMs: z.optional(
    z
      .number({ error: "engagedMs must be a number" })
      .check(
        z.refine(Number.isFinite, "engagedMs must be finite"),
        z.nonnegative("engagedMs must be at least 0"),
      ),
  ),
  userId: z.optional(id("userId")),
  traits: z.optional(propsSchema(MAX_TRAITS, "traits")),
});

function requireByType<T extends z.infer<typeof baseEvent>>(event: T, ctx: z.core.$RefinementCtx) {
  const need = (field: keyof T, message: string) => {
    if (event[field] === undefined)
      ctx.addIssue({ code: "custom", path: [field as string], message });
  };
  if (event.type === "pageview" || event.type === "heartbeat")
    need("url", `url is required for ${event.type}`);
  if (event.type === "event") need("name", "name is required for type event");
  if (event.type === "identify") need("userId", "userId is required for type identify");
  if (event.type !== "event" && event.name !== undefined)
    ctx.addIssue({ code: "custom", path: ["name"], message: "name is only allowed on type event" });
  if (event.type !== "event" && event.interactive !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["interactive"],
      message: "interactive is only allowed on type event",
    });
  if (event.type === "engagement") {
    need("url", "url is required for engagement");
    need("scrollDepth", "scrollDepth is required for engagement");
    need("engagedMs", "engagedMs is required for engagement");
  } else {
    for (const field of ["scrollDepth", "engagedMs"] as const)
      if (event[field] !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field} is only allowed on type engagement`,
        });
  }
}

export const ingestEventSchema = baseEvent.check(z.superRefine(requireByType));
export type IngestEvent = z.infer<typeof ingestEventSchema>;

/** `importEvents`: the ingest shape, plus per-event client facts a server log carries. */
export const importEventSchema = z
  .extend(baseEvent, {
    visitorId: z.optional(id("visitorId")),
    sessionId: z.optional(id("sessionId")),
    ip: z.optional(text("ip", 64)),
    userAgent: z.optional(text("userAgent", 1024)),
  })
  .check(
    z.superRefine((event, ctx) => {
      requireByType(event as IngestEvent, ctx);
      if (event.visitorId === undefined && event.ip === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["visitorId"],
          message: "visitorId is required (or ip to derive it)",
        });
    }),
  );
export type ImportEvent = z.infer<typeof importEventSchema>;

/** The request envelope; events are validated one by one so a bad one rejects only itself. */
export const ingestBodySchema = z.object({
  key: z.optional(z.string().check(z.maxLength(MAX_WRITE_KEY_LENGTH))),
  events: z.array(z.unknown(), { error: "events must be an array" }),
});

/** Turns a zod failure into one line naming the field, e.g. `props.plan: ... `. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path[issue.path.length - 1];
      const named = field === undefined || issue.message.startsWith(String(field));
      return named && issue.path.length <= 1
        ? issue.message
        : `${issue.path.join(".")}: ${issue.message}`;
    })
    .join("; ");
}

const setting = (name: keyof typeof SETTING_BOUNDS) => {
  const { min, max } = SETTING_BOUNDS[name];
  return z
    .number({ error: `${name} must be a number` })
    .check(
      z.int(`${name} must be an integer`),
      z.gte(min, `${name} must be between ${min} and ${max}`),
      z.lte(max, `${name} must be between ${min} and ${max}`),
    );
};

const propertyKeyList = (name: string) =>
  z
    .array(propKey)
    .check(
      z.maxLength(MAX_PROPERTY_KEY_LIST, `${name} may list at most ${MAX_PROPERTY_KEY_LIST} keys`),
    );

export const settingsPatchSchema = z.partial(
  z.strictObject({
    sessionTimeoutMs: setting("sessionTimeoutMs"),
    pageviewDedupMs: setting("pageviewDedupMs"),
    heartbeatDedupMs: setting("heartbeatDedupMs"),
    presenceTimeoutMs: setting("presenceTimeoutMs"),
    retentionDays: setting("retentionDays"),
    visitRetentionDays: setting("visitRetentionDays"),
    ingestRatePerMinute: setting("ingestRatePerMinute"),
    allowedPropertyKeys: propertyKeyList("allowedPropertyKeys"),
    deniedPropertyKeys: propertyKeyList("deniedPropertyKeys"),
  }),
);
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const slugSchema = z
  .string()
  .check(
    z.regex(
      new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_SLUG_LENGTH - 1}}$`),
      `slug must be 1-${MAX_SLUG_LENGTH} lowercase letters, digits or '-', starting with a letter or digit`,
    ),
  );
export const siteNameSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, "name must not be empty"),
    z.maxLength(MAX_SITE_NAME_LENGTH, `name must be at most ${MAX_SITE_NAME_LENGTH} characters`),
  );
export const domainSchema = z
  .string()
  .check(
    z.regex(
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
      "domain must be a lowercase host name such as example.com (no scheme, no path)",
    ),
  );
export const originsSchema = z
  .array(
    z.string().check(
      z.refine((origin) => {
        if (!URL.canParse(origin)) return false;
        const url = new URL(origin);
        return (url.protocol === "http:" || url.protocol === "https:") && url.origin === origin;
      }, "allowedOrigins entries must be origins such as https://example.com (scheme and host, optional port, no path or trailing slash)"),
    ),
  )
  .check(
    z.maxLength(
      MAX_ALLOWED_ORIGINS,
      `allowedOrigins may list at most ${MAX_ALLOWED_ORIGINS} origins`,
    ),
  );
export const timezoneSchema = z
  .string()
  .check(z.refine(isValidTimezone, "timezone must be an IANA time zone such as Europe/Paris"));
/**
 * Bits of a key estimated from its own characters: length × the Shannon entropy of their
 * frequencies. Generous to random keys (a 32-character hex key scores about 112), harsh to
 * repetition ("aaaa…" scores 0, "abab…" 1 bit a character).
 */
export function estimatedEntropyBits(key: string): number {
  const counts = new Map<string, number>();
  for (const c of key) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / key.length;
    bitsPerChar -= p * Math.log2(p);
  }
  return key.length * bitsPerChar;
}

/**
 * A supplied key is the only secret between a site and anyone writing to it, and it is
 * public in every page: it must at least not be guessable (contract §4: "a strong key").
 */
export const writeKeySchema = z.string().check(
  z.minLength(MIN_WRITE_KEY_LENGTH, `writeKey must be at least ${MIN_WRITE_KEY_LENGTH} characters`),
  z.maxLength(MAX_WRITE_KEY_LENGTH, `writeKey must be at most ${MAX_WRITE_KEY_LENGTH} characters`),
  z.regex(/^[\x21-\x7e]+$/, "writeKey must be printable ASCII without spaces"),
  z.refine(
    (key) => new Set(key).size >= MIN_WRITE_KEY_DISTINCT_CHARS,
    `writeKey must use at least ${MIN_WRITE_KEY_DISTINCT_CHARS} distinct characters`,
  ),
  z.refine(
    (key) => estimatedEntropyBits(key) >= MIN_WRITE_KEY_ENTROPY_BITS,
    `writeKey must be random: at least ${MIN_WRITE_KEY_ENTROPY_BITS} bits estimated from its characters (omit writeKey to get a generated one)`,
  ),
);

/** Parses `value` or throws a ConvexError whose message names what was wrong. */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidArgument(`${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** The error every admin/read function throws for bad input; `data.code` is stable. */
export function invalidArgument(message: string) {
  return new ConvexError({ code: "invalid_argument", message });
}
