// The event a `track` / `identify` call from host code stands for: the ids it leaves out.
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../lib/keys.js";
import { identifyEvent, trackedEvent } from "./serverEvents.js";

let n = 0;
const newId = () => `srv_${++n}`;

describe("trackedEvent", () => {
  it("keeps what the caller gave, and only that", async () => {
    const input = {
      name: "signup",
      id: "e1",
      visitorId: "v1",
      sessionId: "s1",
      userId: "u1",
      props: { plan: "pro" },
      url: "https://example.com/signup",
      ts: 1_700_000_000_000,
    };
    expect(await trackedEvent(input, newId)).toEqual({ type: "event", ...input });
    expect(await trackedEvent({ name: "x", id: "e2", visitorId: "v1" }, newId)).toEqual({
      type: "event",
      name: "x",
      id: "e2",
      visitorId: "v1",
      // Sessions then come from the idle timeout alone.
      sessionId: "v1",
    });
  });

  it("derives the visitor: from the user (stable), else from the event id (a retry stays put)", async () => {
    const user = `user_${(await sha256Hex("alice")).slice(0, 32)}`;
    for (const id of ["a", "b"])
      expect(await trackedEvent({ name: "x", id, userId: "alice" }, newId)).toMatchObject({
        visitorId: user,
        sessionId: user,
      });
    const anon = await trackedEvent({ name: "x", id: "order:1" }, newId);
    expect(anon.visitorId).toBe(`anon_${(await sha256Hex("order:1")).slice(0, 32)}`);
    expect((await trackedEvent({ name: "x", id: "order:1" }, newId)).visitorId).toBe(
      anon.visitorId,
    );
    // Without an id, a fresh one: a visitor of its own.
    const fresh = await trackedEvent({ name: "x" }, () => "srv_fresh");
    expect(fresh).toMatchObject({
      id: "srv_fresh",
      visitorId: `anon_${(await sha256Hex("srv_fresh")).slice(0, 32)}`,
    });
  });
});

describe("identifyEvent", () => {
  it("is an identify of the visitor, in the visitor's session unless one is given", () => {
    expect(identifyEvent({ visitorId: "v1", userId: "u1" }, () => "srv_x")).toEqual({
      type: "identify",
      id: "srv_x",
      visitorId: "v1",
      sessionId: "v1",
      userId: "u1",
    });
    expect(
      identifyEvent(
        { visitorId: "v1", userId: "u1", sessionId: "s1", id: "i1", traits: {} },
        newId,
      ),
    ).toEqual({
      type: "identify",
      id: "i1",
      visitorId: "v1",
      sessionId: "s1",
      userId: "u1",
      traits: {},
    });
  });
});
