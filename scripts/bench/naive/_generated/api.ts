/* eslint-disable */
// Hand-written, in the form `npx convex codegen` writes (the benchmark's naive baseline).
import type * as functions from "../functions.js";

import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";
import { anyApi } from "convex/server";

const fullApi: ApiFromModules<{ functions: typeof functions }> = anyApi as any;

export const api: FilterApi<typeof fullApi, FunctionReference<any, "public">> = anyApi as any;
export const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">> = anyApi as any;
