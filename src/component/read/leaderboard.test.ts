import { describe, expect, it } from "vitest";
import {
  BoardDraft,
  chooseCandidates,
  isComplete,
  scoreMetric,
  type Leaderboard,
} from "./leaderboard.js";

const empty: Leaderboard = { entries: [], floor: 0 };

describe("BoardDraft", () => {
  it("keeps the top keys and a floor above every key it left out", () => {
    const draft = new BoardDraft(empty, 2);
    draft.set("/a", 5);
    draft.set("/b", 3);
    draft.set("/c", 1); // kept out: floor 1
    draft.set("/d", 4); // pushes /b (3) out: floor 3
    expect(draft.board()).toEqual({
      entries: [
        { key: "/a", score: 5 },
        { key: "/d", score: 4 },
      ],
      floor: 3,
    });
    draft.set("/a", 0); // a score that fell to 0 needs no entry
    draft.set("/c", 2); // room again: listed with its exact score
    expect(draft.board()).toEqual({
      entries: [
        { key: "/d", score: 4 },
        { key: "/c", score: 2 },
      ],
      floor: 3,
    });
  });

  it("never lowers the floor, whatever the scores do", () => {
    const draft = new BoardDraft({ entries: [{ key: "/x", score: 9 }], floor: 7 }, 1);
    draft.set("/y", 2);
    expect(draft.board().floor).toBe(7);
  });
});

describe("chooseCandidates", () => {
  // Two days of 2-key boards: /a is 10 + ≤4, /b ≤6 + 8, /c 5 + ≤4, an unseen key ≤ 6 + 4.
  const day1: Leaderboard = {
    entries: [
      { key: "/a", score: 10 },
      { key: "/c", score: 5 },
    ],
    floor: 6,
  };
  const day2: Leaderboard = {
    entries: [
      { key: "/b", score: 8 },
      { key: "/d", score: 5 },
    ],
    floor: 4,
  };

  it("ranks keys by their upper bound over the range", () => {
    const open = new Map([["/c", 3]]); // the open hours' rows, read whole
    expect(chooseCandidates([day1, day2], open, 2)).toEqual({
      candidates: ["/a", "/b"], // /a 10 + 4, /b 6 + 8; /c 5 + 4 + 3, /d 6 + 5
      rest: 12, // /c's bound; an unseen key's is 10
    });
    expect(chooseCandidates([day1, day2], new Map(), 4).rest).toBe(10);
  });

  it("says when the shown rows are the true top", () => {
    expect(isComplete([14, 13], 2, 12)).toBe(true);
    expect(isComplete([14, 12], 2, 12)).toBe(false); // a key outside might tie or pass
    expect(isComplete([14], 2, 12)).toBe(false); // fewer rows than asked, others may exist
    expect(isComplete([14], 2, 0)).toBe(true); // every board lists all its keys
  });
});

describe("scoreMetric", () => {
  it("ranks events and property values by events, other dimensions by visitors", () => {
    expect(scoreMetric("event")).toBe("events");
    expect(scoreMetric("prop\u001fsignup\u001fplan")).toBe("events");
    expect(scoreMetric("page")).toBe("visitors");
  });
});
