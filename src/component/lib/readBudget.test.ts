import { describe, expect, it } from "vitest";
import { ReadBudget } from "./readBudget.js";

describe("ReadBudget", () => {
  it("is spent by the document count", () => {
    const budget = new ReadBudget(2, 1_000_000);
    budget.spend({ a: 1 });
    expect(budget.spent).toBe(false);
    budget.spend({ a: 1 });
    expect(budget.spent).toBe(true);
  });

  it("is spent by bytes as Convex counts them: a 16 KiB sketch row outweighs many small rows", () => {
    const budget = new ReadBudget(1_000, 20_000);
    budget.spend({ visitors: new ArrayBuffer(16_384), key: "/" });
    expect(budget.bytes).toBeGreaterThan(16_384);
    expect(budget.spent).toBe(false);
    budget.spend({ visitors: new ArrayBuffer(16_384), key: "/" });
    expect(budget.spent).toBe(true);
    expect(budget.documents).toBe(2);
  });
});
