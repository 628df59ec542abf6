// What a Plausible Events API body means, read as the definition (events.ts).
import { describe, expect, it } from "vitest";
import { MAX_PLAUSIBLE_DOMAINS } from "../../component/lib/limits.js";
import { clientIp, parsePlausibleBody, saltDay, toWireEvent, visitorHash } from "./events.js";

const parse = (body: unknown) => parsePlausibleBody(JSON.stringify(body));

describe("parsePlausibleBody", () => {
  it("reads the tracker's short names and the API's long ones alike", () => {
    const short = parse({
      n: "pageview",
      u: "https://example.com/a?utm_source=x",
      d: "example.com",
      r: "https://google.com/",
      p: { plan: "pro" },
    });
    const long = parse({
      name: "pageview",
      url: "https://example.com/a?utm_source=x",
      domain: "example.com",
      referrer: "https://google.com/",
      props: { plan: "pro" },
    });
    const event = {
      name: "pageview",
      url: "https://example.com/a?utm_source=x",
      domains: ["example.com"],
      referrer: "https://google.com/",
      props: { plan: "pro" },
    };
    expect(short).toEqual({ ok: true, event });
    expect(long).toEqual({ ok: true, event });
  });

  it("takes props as JSON text or legacy meta, keeps strings, numbers and booleans as text", () => {
    const asText = parse({ n: "Buy", u: "https://a.com/", m: JSON.stringify({ sku: "x", n: 2 }) });
    expect(asText.ok && asText.event.props).toEqual({ sku: "x", n: "2" });
    const mixed = parse({
      n: "Buy",
      u: "https://a.com/",
      p: { ok: true, list: [1], map: { a: 1 }, none: null, empty: "" },
    });
    expect(mixed.ok && mixed.event.props).toEqual({ ok: "true" });
    expect(parse({ n: "Buy", u: "https://a.com/", p: "{nope" })).toEqual({
      ok: false,
      errors: { props: ["must be an object or its JSON text"] },
    });
  });

  it("splits comma-separated domains, and takes the URL's host without one", () => {
    const many = parse({ n: "pageview", u: "https://a.com/", d: "a.com, www.B.com,a.com" });
    expect(many.ok && many.event.domains).toEqual(["a.com", "b.com"]);
    const none = parse({ n: "pageview", u: "https://www.shop.a.com/x" });
    expect(none.ok && none.event.domains).toEqual(["shop.a.com"]);
    const domains = Array.from({ length: MAX_PLAUSIBLE_DOMAINS + 1 }, (_, i) => `s${i}.com`);
    expect(parse({ n: "pageview", u: "https://a.com/", d: domains.join(",") }).ok).toBe(false);
  });

  it("names every missing or bad field, as Plausible's 400 does", () => {
    expect(parse({})).toEqual({
      ok: false,
      errors: { event_name: ["can't be blank"], url: ["is required"] },
    });
    expect(parse({ n: "x", u: "javascript:alert(1)" })).toEqual({
      ok: false,
      errors: { url: ["is invalid"] },
    });
    expect(parsePlausibleBody("{")).toEqual({
      ok: false,
      errors: { request: ["Unable to parse request body as json"] },
    });
    expect(parse([1])).toMatchObject({ ok: false });
  });
});

describe("what is recorded", () => {
  it("makes an engagement of `sd` and `e`, scroll depth cut to 0..100, and a non-interactive event of `i: false`", () => {
    const wire = (body: object) => {
      const parsed = parse(body);
      if (!parsed.ok) throw new Error("parse failed");
      return toWireEvent(parsed.event, "id1", "p_v");
    };
    expect(wire({ n: "engagement", u: "https://a.com/x", sd: 50, e: 1200 })).toMatchObject({
      type: "engagement",
      scrollDepth: 50,
      engagedMs: 1200,
      url: "https://a.com/x",
    });
    expect(wire({ n: "engagement", u: "https://a.com/", sd: 140, e: -5 })).toMatchObject({
      scrollDepth: 100,
      engagedMs: 0,
    });
    expect(wire({ n: "engagement", u: "https://a.com/" })).toMatchObject({
      scrollDepth: 0,
      engagedMs: 0,
    });
    expect(wire({ n: "Scroll", u: "https://a.com/", i: false })).toMatchObject({
      type: "event",
      name: "Scroll",
      interactive: false,
    });
    expect(wire({ n: "Signup", u: "https://a.com/", i: true })).not.toHaveProperty("interactive");
    expect(wire({ n: "pageview", u: "https://a.com/", i: false })).not.toHaveProperty(
      "interactive",
    );
  });

  it("makes a pageview or a named event, the session id being the visitor id", () => {
    const custom = parse({ n: "Signup", u: "https://a.com/x", p: { plan: "pro" } });
    if (!custom.ok) throw new Error("parse failed");
    expect(toWireEvent(custom.event, "id1", "p_v")).toEqual({
      type: "event",
      name: "Signup",
      id: "id1",
      visitorId: "p_v",
      sessionId: "p_v",
      url: "https://a.com/x",
      props: { plan: "pro" },
    });
  });
});

describe("hash-based routing (`h`)", () => {
  const wire = (body: Record<string, unknown>) => {
    const parsed = parse({ n: "pageview", u: "https://a.com/app/#/pricing?x=1", ...body });
    if (!parsed.ok) throw new Error("parse failed");
    return toWireEvent(parsed.event, "id1", "p_v");
  };

  it("asks for the fragment to be kept in the path when `h` is truthy, and only then", () => {
    for (const h of [1, true, "1", "true", 2])
      expect(wire({ h })).toMatchObject({ url: "https://a.com/app/#/pricing?x=1", keepHash: true });
    for (const h of [0, false, "0", "", null, undefined])
      expect(wire({ h })).not.toHaveProperty("keepHash");
  });
});

describe("identity", () => {
  const headers = (xff?: string) => new Headers(xff ? { "X-Forwarded-For": xff } : {});

  it("takes the first valid X-Forwarded-For address, ports stripped, else nothing", () => {
    expect(clientIp(headers("203.0.113.7, 10.0.0.1"))).toBe("203.0.113.7");
    expect(clientIp(headers("unknown, 999.1.1.1, 198.51.100.2:5000"))).toBe("198.51.100.2");
    expect(clientIp(headers("[2001:DB8::1]:443"))).toBe("2001:db8::1");
    expect(clientIp(headers("garbage"))).toBe("");
    expect(clientIp(headers())).toBe("");
  });

  it("hashes salt, site, IP and User-Agent: any of them changed is another visitor", async () => {
    const base = await visitorHash("salt", "site", "1.2.3.4", "UA");
    expect(base).toMatch(/^p_[0-9a-f]{40}$/);
    expect(await visitorHash("salt", "site", "1.2.3.4", "UA")).toBe(base);
    for (const other of [
      visitorHash("salt2", "site", "1.2.3.4", "UA"),
      visitorHash("salt", "site2", "1.2.3.4", "UA"),
      visitorHash("salt", "site", "1.2.3.5", "UA"),
      visitorHash("salt", "site", "1.2.3.4", "UA2"),
    ])
      expect(await other).not.toBe(base);
  });

  it("rotates salts by UTC day", () => {
    expect(saltDay(Date.UTC(2026, 0, 1, 23, 59, 59))).toBe("2026-01-01");
    expect(saltDay(Date.UTC(2026, 0, 2))).toBe("2026-01-02");
  });
});
