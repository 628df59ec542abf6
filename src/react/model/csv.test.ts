import { describe, expect, it } from "vitest";
import { breakdownCsv, csvCell, goalsCsv, toCsv } from "./csv.js";

describe("CSV", () => {
  it("quotes cells with commas, quotes or line breaks, and doubles quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
  });
  it("defuses formulas: text starting with = + - @ gets a leading quote", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell('=1,"x"')).toBe(`"'=1,""x"""`);
    // Numbers are numbers, negative ones included.
    expect(csvCell(-3)).toBe("-3");
  });
  it("writes rows with CRLF, and a breakdown with a header", () => {
    expect(
      toCsv([
        ["a", 1],
        [null, 2.5],
      ]),
    ).toBe("a,1\r\n,2.5\r\n");
    expect(
      breakdownCsv("source", [
        { key: "Google", visitors: 3, pageviews: 4, sessions: 3, events: 0 },
      ]),
    ).toBe("source,visitors,pageviews,sessions,events\r\nGoogle,3,4,3,0\r\n");
    // Page rows carry engagement; a page without any has empty cells, not 0.
    expect(
      breakdownCsv("page", [
        {
          key: "/",
          visitors: 3,
          pageviews: 4,
          sessions: 3,
          events: 0,
          timeOnPageMs: 17_500,
          scrollDepth: 45,
        },
        { key: "/b", visitors: 1, pageviews: 1, sessions: 1, events: 0 },
      ]),
    ).toBe(
      "page,visitors,pageviews,sessions,events,time_on_page_ms,scroll_depth\r\n/,3,4,3,0,17500,45\r\n/b,1,1,1,0,,\r\n",
    );
    expect(
      goalsCsv([{ goalId: "g", name: "=Signup", visitors: 5, events: 7, conversionRate: 0.125 }]),
    ).toBe("goal,visitors,events,conversion_rate\r\n'=Signup,5,7,0.125\r\n");
  });
});
