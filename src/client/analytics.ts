// Events from host code. `track` and `identify` run inside a host mutation: the component's
// mutation joins the host's transaction, so the event is stored if and only if the host's
// mutation commits (an order that rolled back never counts as a conversion).
import type { GenericDataModel, GenericMutationCtx } from "convex/server";
import type { ComponentApi } from "../component/_generated/component.js";
import { encodePropKeys } from "../component/ingest/propKeys.js";
import type { PropValue } from "../component/ingest/validate.js";

/** Event names and the props each one carries, for `new Analytics<Events>(…)`. */
export type EventProps = Record<string, Record<string, PropValue>>;

/**
 * A mutation's ctx. `db` is asked for only to keep action ctxs out: an action's runMutation
 * commits on its own, so the event would not share the host's transaction (from an action,
 * call a mutation that tracks).
 */
export type TrackCtx = Pick<GenericMutationCtx<GenericDataModel>, "runMutation"> & {
  db: unknown;
};

type PropsOf<Events extends EventProps, Name extends keyof Events> =
  // Props may be left out only when the event declares none that are required.
  object extends Events[Name] ? { props?: Events[Name] } : { props: Events[Name] };

export type TrackArgs<Events extends EventProps, Name extends keyof Events & string> = {
  siteId: string;
  /** A custom event name (at most 120 characters). */
  name: Name;
  /** The browser's visitor id (the tracker's), to count the event in that visitor's visit. */
  visitorId?: string;
  /** Without a visitorId, the visitor is derived from the userId (stable per user). */
  userId?: string;
  /** Defaults to the visitorId: the visit is then told apart by the idle timeout alone. */
  sessionId?: string;
  /** Makes retries idempotent: a second call with the same id stores nothing more. */
  id?: string;
  /** The page the event belongs to, if any (sets its path). */
  url?: string;
  /** Milliseconds since epoch; clamped as live ingest clamps it. Defaults to now. */
  ts?: number;
} & PropsOf<Events, Name>;

export type IdentifyArgs = {
  siteId: string;
  visitorId: string;
  userId: string;
  sessionId?: string;
  traits?: Record<string, PropValue>;
  id?: string;
  ts?: number;
};

/**
 * Tracks events from a host mutation: `new Analytics(components.analytics)`, optionally typed
 * with the events and props an app sends, `new Analytics<{ signup: { plan: string } }>(…)`.
 */
export class Analytics<Events extends EventProps = EventProps> {
  constructor(private readonly component: ComponentApi) {}

  /** Stores a custom event in the caller's transaction; throws, naming the field, on bad input. */
  async track<Name extends keyof Events & string>(
    ctx: TrackCtx,
    args: TrackArgs<Events, Name>,
  ): Promise<{ eventId: string }> {
    const { props, ...rest } = args as TrackArgs<EventProps, string>;
    // Keys such as "$browser" can't cross Convex's wire as they are: sent in stored form.
    return await ctx.runMutation(this.component.track.track, {
      ...rest,
      ...(props !== undefined ? { props: encodePropKeys(props) } : {}),
    });
  }

  /** Links a visitor to a user (`identifiedUsers`), in the caller's transaction. */
  async identify(ctx: TrackCtx, args: IdentifyArgs): Promise<{ eventId: string }> {
    const { traits, ...rest } = args;
    return await ctx.runMutation(this.component.track.identify, {
      ...rest,
      ...(traits !== undefined ? { traits: encodePropKeys(traits) } : {}),
    });
  }
}
