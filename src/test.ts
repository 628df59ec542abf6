/// <reference types="vite/client" />
// convex-test support: `register(t)` mounts the component in a test app (contract §1).
import type { TestConvex } from "convex-test";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import schema from "./component/schema.js";

export const modules = import.meta.glob(["./component/**/*.ts", "!./component/**/*.test.ts"]);

export function register<Schema extends SchemaDefinition<GenericSchema, boolean>>(
  t: TestConvex<Schema>,
  name: string = "analytics",
) {
  t.registerComponent(name, schema, modules);
}

export default { register, schema, modules };
