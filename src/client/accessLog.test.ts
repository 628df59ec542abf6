// contract §6 access-log import: the line parser, the page/bot rules, visitor ids, deterministic
// event ids and the counts, with exact expectations.
import { describe, expect, it } from "vitest";
import {
  accessLogBatches,
  accessLogToEvents,
  isBotLine,
  isPageRequest,
  parseLogLine,
  splitLines,
  targetPath,
  visitorIdFor,
  type ParsedLine,
} from "./accessLog.js";

const UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
const COMBINED = `1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET /pricing?plan=pro HTTP/1.1" 200 512 "https://www.google.com/search?q=x" "${UA}"`;
const T0 = Date.UTC(2023, 9, 10, 13, 55, 36);
// sha256("1.2.3.4" + UA), computed independently (node:crypto).
const VISITOR = "b666c9d5fde48fa6121003cbf5b57acab191e6865982f3887ed2724cb5811c83";

/** A combined line with the given request, status and user agent. */
function combined(
  request: string,
  status = 200,
  ua = UA,
  ip = "1.2.3.4",
  time = "10/Oct/2023:13:55:36 +0000",
) {
  return `${ip} - - [${time}] "${request}" ${status} 100 "-" "${ua}"`;
}

function parsed(request: string, status = 200): ParsedLine {
  const line = parseLogLine(combined(request, status));
  if (!line) throw new Error(`did not parse: ${request}`);
  return line;
}

describe("parseLogLine", () => {
  it("parses a combined line", () => {
    expect(parseLogLine(COMBINED)).toEqual({
      ip: "1.2.3.4",
      user: null,
      ts: T0,
      request: "GET /pricing?plan=pro HTTP/1.1",
      method: "GET",
      target: "/pricing?plan=pro",
      protocol: "HTTP/1.1",
      status: 200,
      bytes: 512,
      referrer: "https://www.google.com/search?q=x",
      userAgent: UA,
      format: "combined",
    });
  });

  it("parses a common line (no referrer, no user agent)", () => {
    expect(
      parseLogLine(
        `127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
      ),
    ).toEqual({
      ip: "127.0.0.1",
      user: "frank",
      ts: Date.UTC(2000, 9, 10, 20, 55, 36),
      request: "GET /apache_pb.gif HTTP/1.0",
      method: "GET",
      target: "/apache_pb.gif",
      protocol: "HTTP/1.0",
      status: 200,
      bytes: 2326,
      referrer: null,
      userAgent: null,
      format: "common",
    });
  });

  it("applies the timezone offset", () => {
    const at = (time: string) =>
      parseLogLine(combined("GET / HTTP/1.1", 200, UA, "1.2.3.4", time))?.ts;
    expect(at("17/May/2015:10:05:03 +0000")).toBe(Date.UTC(2015, 4, 17, 10, 5, 3));
    expect(at("17/May/2015:10:05:03 +0200")).toBe(Date.UTC(2015, 4, 17, 8, 5, 3));
    expect(at("17/May/2015:10:05:03 -0700")).toBe(Date.UTC(2015, 4, 17, 17, 5, 3));
    expect(at("17/May/2015:10:05:03 +0530")).toBe(Date.UTC(2015, 4, 17, 4, 35, 3));
    // Crossing midnight and the year in both directions.
    expect(at("01/Jan/2016:01:00:00 +0200")).toBe(Date.UTC(2015, 11, 31, 23, 0, 0));
    expect(at("31/Dec/2015:23:30:00 -0100")).toBe(Date.UTC(2016, 0, 1, 0, 30, 0));
    // Month names in any case; a colon in the offset is tolerated.
    expect(at("17/MAY/2015:10:05:03 +02:00")).toBe(Date.UTC(2015, 4, 17, 8, 5, 3));
    // Impossible dates and times are unparseable.
    expect(at("31/Feb/2015:10:05:03 +0000")).toBeUndefined();
    expect(at("17/Foo/2015:10:05:03 +0000")).toBeUndefined();
    expect(at("17/May/2015:24:05:03 +0000")).toBeUndefined();
    expect(at("17/May/2015:10:05:03")).toBeUndefined();
  });

  it("keeps a line whose request is '-' (no request), with no method or target", () => {
    const line = parseLogLine(`10.0.0.1 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-"`);
    expect(line).toMatchObject({
      request: "-",
      method: null,
      target: null,
      protocol: null,
      status: 408,
      bytes: null,
    });
    expect(line!.referrer).toBeNull();
    expect(line!.userAgent).toBe("");
    expect(isPageRequest(line!)).toBe(false);
  });

  it("decodes escaped quotes, backslashes and \\x bytes in quoted fields", () => {
    const line = parseLogLine(
      String.raw`10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "http://b\xc3\xbccher.de/" "Mozilla/5.0 \"quoted\" back\\slash"`,
    );
    expect(line!.userAgent).toBe('Mozilla/5.0 "quoted" back\\slash');
    expect(line!.referrer).toBe("http://bücher.de/");
    // Bytes that are not UTF-8 (a cp1251 host, as in real logs) become U+FFFD.
    const cp1251 = parseLogLine(
      String.raw`10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "http://\xe4\xe5.\xf0\xf4/" "${UA}"`,
    );
    expect(cp1251!.referrer).toBe("http://\ufffd\ufffd.\ufffd\ufffd/");
  });

  it("accepts IPv6 and host-name clients, HTTP/0.9 and HTTP/2 requests, and extra trailing fields", () => {
    expect(
      parseLogLine(combined("GET / HTTP/2.0", 200, UA, "2001:db8::ff00:42:8329")),
    ).toMatchObject({
      ip: "2001:db8::ff00:42:8329",
      protocol: "HTTP/2.0",
    });
    expect(parseLogLine(combined("GET /", 200, UA, "crawler.example.net"))).toMatchObject({
      ip: "crawler.example.net",
      method: "GET",
      target: "/",
      protocol: null,
    });
    expect(parseLogLine(combined("GET /a b HTTP/1.1"))).toMatchObject({
      target: "/a b",
      protocol: "HTTP/1.1",
    });
    expect(parseLogLine(`${combined("GET / HTTP/1.1")} "1.2.3.4, 10.0.0.1" 0.012`)).toMatchObject({
      format: "combined",
      userAgent: UA,
    });
    expect(parseLogLine(`${combined("GET / HTTP/1.1")}\r`)).toMatchObject({ userAgent: UA });
    expect(
      parseLogLine(`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 304 -   `),
    ).toMatchObject({ format: "common", bytes: null });
  });

  it("returns null for lines that are neither format, never throwing", () => {
    const bad = [
      "",
      "   ",
      "not a log line",
      // A truncated combined line (the user agent's closing quote is missing) is not a common line.
      `46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /x.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1`,
      `1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200`,
      `1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 2000 5`,
      `1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-"`,
      `1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 garbage`,
      `1.2.3.4 - - 10/Oct/2023:13:55:36 +0000 "GET / HTTP/1.1" 200 5`,
      `{"ip":"1.2.3.4","status":200}`,
    ];
    for (const line of bad) expect(parseLogLine(line), line).toBeNull();
    expect(parseLogLine(undefined as unknown as string)).toBeNull();
  });
});

describe("isPageRequest", () => {
  it.each([
    ["GET / HTTP/1.1", 200, true],
    ["GET /pricing HTTP/1.1", 200, true],
    ["GET /blog/ HTTP/1.1", 200, true],
    ["GET /v1.2/ HTTP/1.1", 200, true],
    ["GET /about.html HTTP/1.1", 200, true],
    ["GET /ABOUT.HTM HTTP/1.1", 200, true],
    ["GET /doc.xhtml HTTP/1.1", 200, true],
    ["GET /index.php?id=3 HTTP/1.1", 200, true],
    ["GET /search?q=a.png HTTP/1.1", 200, true],
    ["GET /page#frag.png HTTP/1.1", 200, true],
    ["GET /.well-known HTTP/1.1", 200, true],
    ["GET /logo.png HTTP/1.1", 200, false],
    ["GET /style.css?v=2 HTTP/1.1", 200, false],
    ["GET /app.js HTTP/1.1", 200, false],
    ["GET /feed.xml HTTP/1.1", 200, false],
    ["GET /robots.txt HTTP/1.1", 200, false],
    ["GET /slides.pdf.html HTTP/1.1", 200, true],
    ["GET /archive.tar.gz HTTP/1.1", 200, false],
    ["GET /jquery-1.5 HTTP/1.1", 200, false],
    ["GET /trailing. HTTP/1.1", 200, false],
    ["GET /pricing HTTP/1.1", 204, true],
    ["GET /pricing HTTP/1.1", 206, true],
    ["GET /pricing HTTP/1.1", 304, true],
    ["GET /pricing HTTP/1.1", 301, false],
    ["GET /pricing HTTP/1.1", 404, false],
    ["GET /pricing HTTP/1.1", 500, false],
    ["HEAD /pricing HTTP/1.1", 200, false],
    ["POST /pricing HTTP/1.1", 200, false],
    ["get /pricing HTTP/1.1", 200, false],
    ["GET http://other.example/ HTTP/1.1", 200, false],
    ["GET * HTTP/1.1", 200, false],
  ] as const)("%s %i → %s", (request, status, expected) => {
    expect(isPageRequest(parsed(request, status))).toBe(expected);
  });

  it("takes the path of origin-form targets only", () => {
    expect(targetPath("/a/b?c=d#e")).toBe("/a/b");
    expect(targetPath("/a#b?c")).toBe("/a");
    expect(targetPath("http://x/a")).toBeNull();
    expect(targetPath(null)).toBeNull();
  });
});

describe("isBotLine", () => {
  it("drops isbot matches and empty or '-' user agents in combined logs", () => {
    expect(isBotLine(parseLogLine(combined("GET / HTTP/1.1"))!)).toBe(false);
    expect(
      isBotLine(
        parseLogLine(
          combined(
            "GET / HTTP/1.1",
            200,
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
          ),
        )!,
      ),
    ).toBe(true);
    expect(
      isBotLine(
        parseLogLine(
          combined(
            "GET / HTTP/1.1",
            200,
            "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/",
          ),
        )!,
      ),
    ).toBe(true);
    expect(isBotLine(parseLogLine(combined("GET / HTTP/1.1", 200, "curl/8.4.0"))!)).toBe(true);
    expect(isBotLine(parseLogLine(combined("GET / HTTP/1.1", 200, "-"))!)).toBe(true);
    expect(isBotLine(parseLogLine(combined("GET / HTTP/1.1", 200, ""))!)).toBe(true);
    expect(isBotLine(parseLogLine(combined("GET / HTTP/1.1", 200, "   "))!)).toBe(true);
  });

  it("never drops common-log lines (they have no user agent)", () => {
    expect(
      isBotLine(parseLogLine(`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5`)!),
    ).toBe(false);
  });
});

describe("visitorIdFor", () => {
  it("is SHA-256(ip + user agent) in lowercase hex, the empty string without a user agent", async () => {
    expect(await visitorIdFor("1.2.3.4", UA)).toBe(VISITOR);
    expect(await visitorIdFor("10.0.0.1", null)).toBe(
      "f5047344122f0dee9974ba6761e61c6b8649e1f3968d13a635ebbf7be53a3a0d",
    );
    expect(await visitorIdFor("10.0.0.1", "")).toBe(
      "f5047344122f0dee9974ba6761e61c6b8649e1f3968d13a635ebbf7be53a3a0d",
    );
  });
});

describe("accessLogToEvents", () => {
  it("turns a line into an importEvents pageview", async () => {
    const { events } = await accessLogToEvents(COMBINED, { domain: "example.com" });
    expect(events).toEqual([
      {
        type: "pageview",
        // sha256(line + "\n0"), first 40 hex digits.
        id: "log-9d183c2003355b62cf85f8d2d5905ad3771f4025",
        ts: T0,
        visitorId: VISITOR,
        sessionId: VISITOR,
        url: "https://example.com/pricing?plan=pro",
        referrer: "https://www.google.com/search?q=x",
        ip: "1.2.3.4",
        userAgent: UA,
      },
    ]);
  });

  it("gives the same ids on every import, and identical lines distinct ids", async () => {
    const log = [COMBINED, combined("GET /other HTTP/1.1"), COMBINED].join("\n");
    const first = await accessLogToEvents(log, { domain: "example.com" });
    const second = await accessLogToEvents(log, { domain: "example.com" });
    expect(first.events.map((e) => e.id)).toEqual(second.events.map((e) => e.id));
    const ids = first.events.map((e) => e.id);
    expect(ids[0]).toBe("log-9d183c2003355b62cf85f8d2d5905ad3771f4025");
    expect(ids[2]).toBe("log-2b9d9880e847b85e757975aecb6b051b6a52e806"); // sha256(line + "\n1")
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^log-[0-9a-f]{40}$/);
    // CRLF line endings do not change ids.
    const crlf = await accessLogToEvents(log.replace(/\n/g, "\r\n"), { domain: "example.com" });
    expect(crlf.events.map((e) => e.id)).toEqual(ids);
  });

  it("counts every non-empty line once: unparsed, then notPages, then bots, then imported", async () => {
    const log = [
      "",
      COMBINED, // imported
      combined("GET /logo.png HTTP/1.1"), // notPages
      combined("GET /docs/ HTTP/1.1", 404), // notPages
      combined("POST /login HTTP/1.1"), // notPages
      combined("GET /logo.png HTTP/1.1", 200, "Googlebot/2.1"), // notPages (checked before bots)
      combined("GET /about HTTP/1.1", 200, "Googlebot/2.1"), // bots
      combined("GET /about HTTP/1.1", 200, "-"), // bots
      "   ",
      "garbage", // unparsed
      `10.0.0.1 - - [10/Oct/2023:14:00:00 +0100] "GET /index.php HTTP/1.0" 304 -`, // imported (common)
      `10.0.0.1 - - [10/Oct/2023:14:00:00 +0100] "-" 400 -`, // notPages
      "",
    ].join("\n");
    const { events, counts } = await accessLogToEvents(log, { domain: "example.com" });
    expect(counts).toEqual({ lines: 10, imported: 2, bots: 2, notPages: 5, unparsed: 1 });
    expect(events.map((e) => [e.url, e.ts, e.referrer, e.userAgent])).toEqual([
      ["https://example.com/pricing?plan=pro", T0, "https://www.google.com/search?q=x", UA],
      ["https://example.com/index.php", Date.UTC(2023, 9, 10, 13, 0, 0), undefined, undefined],
    ]);
    // A common-log event carries no userAgent (so the server does not screen it) and no referrer.
    expect(Object.keys(events[1]).sort()).toEqual([
      "id",
      "ip",
      "sessionId",
      "ts",
      "type",
      "url",
      "visitorId",
    ]);
    expect(events[1].visitorId).toBe(
      "f5047344122f0dee9974ba6761e61c6b8649e1f3968d13a635ebbf7be53a3a0d",
    );
  });

  it("keeps every event inside the importEvents bounds", async () => {
    const long = "/p/" + "a".repeat(3000);
    const { events } = await accessLogToEvents(
      combined(`GET ${long}?q=1 HTTP/1.1`, 200, `${UA} ${"x".repeat(2000)}`),
      {
        domain: "example.com",
      },
    );
    expect(events[0].url).toBe(("https://example.com" + long).slice(0, 2048));
    expect(events[0].userAgent!.length).toBe(1024);
  });

  it("rejects a domain that is not a bare host", async () => {
    await expect(accessLogToEvents(COMBINED, { domain: "https://example.com/x" })).rejects.toThrow(
      /domain/,
    );
    await expect(accessLogToEvents(COMBINED, { domain: "example.com/" })).resolves.toMatchObject({
      counts: { imported: 1 },
    });
  });
});

describe("accessLogBatches", () => {
  const log = (n: number) =>
    Array.from({ length: n }, (_, i) => combined(`GET /p${i} HTTP/1.1`)).join("\n") +
    "\ngarbage\n" +
    combined("GET /x.png HTTP/1.1");

  it("yields batches of at most batchSize, per-batch counts and running totals", async () => {
    const batches = [];
    for await (const batch of accessLogBatches(log(5), { domain: "example.com", batchSize: 2 }))
      batches.push(batch);
    expect(batches.map((b) => b.events.length)).toEqual([2, 2, 1]);
    expect(batches.map((b) => b.counts)).toEqual([
      { lines: 2, imported: 2, bots: 0, notPages: 0, unparsed: 0 },
      { lines: 2, imported: 2, bots: 0, notPages: 0, unparsed: 0 },
      { lines: 3, imported: 1, bots: 0, notPages: 1, unparsed: 1 },
    ]);
    expect(batches[2].totals).toEqual({ lines: 7, imported: 5, bots: 0, notPages: 1, unparsed: 1 });
  });

  it("caps batches at the importEvents limit of 500", async () => {
    const sizes = [];
    for await (const batch of accessLogBatches(log(1001), {
      domain: "example.com",
      batchSize: 5000,
    }))
      sizes.push(batch.events.length);
    expect(sizes).toEqual([500, 500, 1]);
  });

  it("reads async line sources and chunked byte streams, splitting multi-byte characters safely", async () => {
    const text = `${COMBINED}\n${combined("GET /caf\u00e9 HTTP/1.1")}\n`;
    const bytes = new TextEncoder().encode(text);
    const cut = text.indexOf("\u00e9") + 1; // inside the two-byte é once encoded
    async function* chunks() {
      yield bytes.slice(0, cut);
      yield bytes.slice(cut);
    }
    const fromBytes = await accessLogToEvents(splitLines(chunks()), { domain: "example.com" });
    const fromString = await accessLogToEvents(text, { domain: "example.com" });
    expect(fromBytes).toEqual(fromString);
    expect(fromBytes.events[1].url).toBe("https://example.com/caf\u00e9");
    async function* lines() {
      yield* text.split("\n");
    }
    expect(await accessLogToEvents(lines(), { domain: "example.com" })).toEqual(fromString);
  });
});
