/* global module */
// The import graph check (`npm run check:imports`, part of `npm test`): no module of src/,
// scripts/, test/ or example/ may import itself through others. A cycle makes the load order
// decide which side sees the other half-initialised, and hides which layer owns what.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "Modules must not import each other in a cycle; move what both need into a third module.",
      from: {},
      // Convex's generated api.ts imports the types of every function module, which in turn import
      // `internal` from it: that cycle is the framework's, type-only, and the same in every app.
      to: { circular: true, viaOnly: { pathNot: "/_generated/" } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
