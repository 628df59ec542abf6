import { mutation, query, type QueryCtx } from "./_generated/server.js";
import type { Doc } from "./_generated/dataModel.js";
import * as signatures from "./lib/signatures.js";
import { generateWriteKey, sha256Hex } from "./lib/keys.js";
import { applySettingsPatch, DEFAULT_SETTINGS } from "./lib/settings.js";
import {
  domainSchema,
  invalidArgument,
  originsSchema,
  parseOrThrow,
  settingsPatchSchema,
  siteNameSchema,
  slugSchema,
  timezoneSchema,
  writeKeySchema,
} from "./ingest/validate.js";

/** A site as the API returns it: never any key material. */
export function publicSite(site: Doc<"sites">) {
  return {
    siteId: site._id as string,
    slug: site.slug,
    name: site.name,
    ...(site.domain !== undefined ? { domain: site.domain } : {}),
    allowedOrigins: site.allowedOrigins,
    timezone: site.timezone,
    status: site.status,
    settings: site.settings,
    createdAt: site.createdAt,
  };
}

export async function loadSite(ctx: QueryCtx, siteId: string): Promise<Doc<"sites">> {
  const id = ctx.db.normalizeId("sites", siteId);
  const site = id && (await ctx.db.get("sites", id));
  if (!site) throw invalidArgument(`siteId: no site with id ${siteId}`);
  return site;
}

export const createSite = mutation({
  args: signatures.createSite.args,
  returns: signatures.createSite.returns,
  handler: async (ctx, args) => {
    const slug = parseOrThrow(slugSchema, args.slug, "slug");
    const existing = await ctx.db
      .query("sites")
      .withIndex("by_slug", (q) => q.eq("slug", slug))
      .first();
    if (existing) throw invalidArgument(`slug: a site with slug "${slug}" already exists`);
    const writeKey =
      args.writeKey === undefined
        ? generateWriteKey()
        : parseOrThrow(writeKeySchema, args.writeKey, "writeKey");
    const writeKeyHash = await sha256Hex(writeKey);
    await assertKeyUnused(ctx, writeKeyHash);
    const siteId = await ctx.db.insert("sites", {
      slug,
      name: parseOrThrow(siteNameSchema, args.name, "name"),
      ...(args.domain !== undefined
        ? { domain: parseOrThrow(domainSchema, args.domain, "domain") }
        : {}),
      allowedOrigins: parseOrThrow(originsSchema, args.allowedOrigins ?? [], "allowedOrigins"),
      timezone: parseOrThrow(timezoneSchema, args.timezone ?? "UTC", "timezone"),
      status: "active",
      settings: DEFAULT_SETTINGS,
      writeKeyHash,
      createdAt: Date.now(),
    });
    return { siteId, writeKey };
  },
});

async function assertKeyUnused(ctx: QueryCtx, writeKeyHash: string) {
  const clash = await ctx.db
    .query("sites")
    .withIndex("by_write_key_hash", (q) => q.eq("writeKeyHash", writeKeyHash))
    .first();
  if (clash) throw invalidArgument("writeKey: this key is already used by another site");
}

export const updateSite = mutation({
  args: signatures.updateSite.args,
  returns: signatures.updateSite.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const patch: Partial<Doc<"sites">> = {};
    if (args.name !== undefined) patch.name = parseOrThrow(siteNameSchema, args.name, "name");
    if (args.domain !== undefined)
      patch.domain =
        args.domain === null ? undefined : parseOrThrow(domainSchema, args.domain, "domain");
    if (args.allowedOrigins !== undefined)
      patch.allowedOrigins = parseOrThrow(originsSchema, args.allowedOrigins, "allowedOrigins");
    if (args.timezone !== undefined)
      patch.timezone = parseOrThrow(timezoneSchema, args.timezone, "timezone");
    if (args.status !== undefined) patch.status = args.status;
    if (args.settings !== undefined) {
      patch.settings = applySettingsPatch(
        site.settings,
        parseOrThrow(settingsPatchSchema, args.settings, "settings"),
      );
    }
    await ctx.db.patch("sites", site._id, patch);
    return null;
  },
});

export const rotateWriteKey = mutation({
  args: signatures.rotateWriteKey.args,
  returns: signatures.rotateWriteKey.returns,
  handler: async (ctx, args) => {
    const site = await loadSite(ctx, args.siteId);
    const writeKey = generateWriteKey();
    await ctx.db.patch("sites", site._id, { writeKeyHash: await sha256Hex(writeKey) });
    return { writeKey };
  },
});

export const getSite = query({
  args: signatures.getSite.args,
  returns: signatures.getSite.returns,
  handler: async (ctx, args) => {
    if ((args.siteId === undefined) === (args.slug === undefined)) {
      throw invalidArgument("getSite: pass exactly one of siteId or slug");
    }
    if (args.siteId !== undefined) {
      const id = ctx.db.normalizeId("sites", args.siteId);
      const site = id && (await ctx.db.get("sites", id));
      return site ? publicSite(site) : null;
    }
    const site = await ctx.db
      .query("sites")
      .withIndex("by_slug", (q) => q.eq("slug", args.slug!))
      .first();
    return site ? publicSite(site) : null;
  },
});

/** Sites are few (one per property a team tracks); the list is bounded by MAX_SITES_LISTED. */
const MAX_SITES_LISTED = 500;

export const listSites = query({
  args: signatures.listSites.args,
  returns: signatures.listSites.returns,
  handler: async (ctx) => {
    const sites = await ctx.db.query("sites").withIndex("by_slug").take(MAX_SITES_LISTED);
    return sites.map(publicSite);
  },
});
