// The enrich step as the ingest mutation runs it (enrichEvent): one event in, the document the
// worker will fold out. Every field the server derives is here with its exact value.
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../lib/settings.js";
import { enrichEvent, partitionOf } from "./pipeline.js";

const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const TS = Date.UTC(2026, 5, 15, 12, 0, 0);

describe("enrichEvent", () => {
  it("derives path, host, UTM fields, source, client and filtered props from one pageview", () => {
    const enriched = enrichEvent(
      {
        type: "pageview",
        id: "e1",
        visitorId: "v1",
        sessionId: "s1",
        url: "https://www.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=june&x=1",
        referrer: "https://www.google.com/search?q=analytics",
        title: "Pricing",
        props: { plan: "pro", email: "a@b.c", seats: 3 },
      },
      { userAgent: CHROME_MAC, country: "DE" },
      { domain: "example.com", settings: { ...DEFAULT_SETTINGS, deniedPropertyKeys: ["email"] } },
      TS,
    );
    expect(enriched).toEqual({
      eventId: "e1",
      partition: partitionOf("v1"),
      type: "pageview",
      ts: TS,
      visitorId: "v1",
      sessionId: "s1",
      path: "/pricing",
      hostname: "www.example.com",
      title: "Pricing",
      props: { plan: "pro", seats: 3 },
      source: "google.com",
      referrerHost: "google.com",
      utmSource: "newsletter",
      utmMedium: "email",
      utmCampaign: "june",
      device: "Desktop",
      browser: "Chrome",
      os: "macOS",
      country: "DE",
    });
  });

  it("keeps a same-site referrer's host but counts the visit as Direct / None", () => {
    const enriched = enrichEvent(
      {
        type: "event",
        id: "e2",
        visitorId: "v2",
        sessionId: "s2",
        name: "signup",
        url: "https://example.com/signup",
        referrer: "https://www.example.com/pricing",
      },
      { userAgent: undefined, country: "Unknown" },
      { domain: "example.com", settings: DEFAULT_SETTINGS },
      TS,
    );
    expect(enriched.source).toBe("Direct / None");
    expect(enriched.referrerHost).toBe("example.com");
    expect(enriched.name).toBe("signup");
    expect(enriched.path).toBe("/signup");
    expect(enriched.utmSource).toBeUndefined();
    expect([enriched.device, enriched.browser, enriched.os]).toEqual([
      "Unknown",
      "Unknown",
      "Unknown",
    ]);
  });

  it("puts every event of one visitor in the same partition", () => {
    expect(
      enrichEvent(
        { type: "heartbeat", id: "h1", visitorId: "v3", sessionId: "s3" },
        { userAgent: CHROME_MAC, country: "FR" },
        { settings: DEFAULT_SETTINGS },
        TS,
      ).partition,
    ).toBe(partitionOf("v3"));
  });
});
