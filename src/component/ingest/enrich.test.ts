// The enrich step's rules (contract §2, §5 "Source"): what the server derives from a User-Agent
// and from a referrer. The User-Agent strings are real ones of current browsers.
import { describe, expect, it } from "vitest";
import { parseUserAgent, referrerSource } from "./enrich.js";

const CHROME_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const SAFARI_IPAD =
  "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

describe("parseUserAgent", () => {
  it("names the device class, browser and OS of real browsers", () => {
    expect(parseUserAgent(CHROME_WINDOWS)).toEqual({
      device: "Desktop",
      browser: "Chrome",
      os: "Windows",
    });
    expect(parseUserAgent(SAFARI_IPHONE)).toEqual({
      device: "Mobile",
      browser: "Safari",
      os: "iOS",
    });
    expect(parseUserAgent(SAFARI_IPAD)).toEqual({ device: "Tablet", browser: "Safari", os: "iOS" });
    expect(parseUserAgent(FIREFOX_LINUX)).toEqual({
      device: "Desktop",
      browser: "Firefox",
      os: "Linux",
    });
  });

  it("says Unknown for what a User-Agent doesn't tell (a server log without one, a curl)", () => {
    const unknown = { device: "Unknown", browser: "Unknown", os: "Unknown" };
    expect(parseUserAgent(undefined)).toEqual(unknown);
    expect(parseUserAgent("")).toEqual(unknown);
    expect(parseUserAgent("curl/8.5.0")).toEqual(unknown);
  });
});

describe("referrerSource", () => {
  it("is the external referrer's host without www.", () => {
    expect(referrerSource("https://www.google.com/search?q=x", "example.com", undefined)).toBe(
      "google.com",
    );
    expect(
      referrerSource("http://News.YCombinator.com/item?id=1", "example.com", "example.com"),
    ).toBe("news.ycombinator.com");
  });

  it("is Direct / None when missing, unparseable, not http(s), or same-site", () => {
    expect(referrerSource(undefined, "example.com", undefined)).toBe("Direct / None");
    expect(referrerSource("not a url", "example.com", undefined)).toBe("Direct / None");
    expect(referrerSource("android-app://com.slack/", "example.com", undefined)).toBe(
      "Direct / None",
    );
    // The page's own host, with or without www.
    expect(referrerSource("https://www.example.com/pricing", "example.com", undefined)).toBe(
      "Direct / None",
    );
    // The site's domain, when the page is on another of its hosts (docs.example.com).
    expect(referrerSource("https://example.com/", "docs.example.com", "www.example.com")).toBe(
      "Direct / None",
    );
  });

  it("cuts a host to the rollup key length", () => {
    const host = `${"a".repeat(320)}.com`;
    expect(referrerSource(`https://${host}/`, "example.com", undefined)).toBe(host.slice(0, 300));
  });
});
