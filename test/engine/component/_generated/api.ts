/* Hand-written stand-in for `npx convex codegen` output. */
import { anyApi } from "convex/server";

export const api = anyApi;
