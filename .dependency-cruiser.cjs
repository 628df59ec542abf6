/* global module */
// The import graph check (`npm run check:imports`, part of `npm test`): no module of src/,
// scripts/, test/ or example/ may import itself through others (a cycle makes the load order
// decide which side sees the other half-initialised, and hides which layer owns what), and
// harness/, the layer under tests, bench and demo, imports neither; scripts/ imports no test.
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
    {
      name: "harness-and-scripts-not-tests",
      severity: "error",
      comment:
        "test/ may import harness/ and scripts/ import it too, never the other way: what both need lives in harness/.",
      from: { path: "^(harness|scripts)/" },
      to: { path: "^test/" },
    },
    {
      name: "harness-not-scripts",
      severity: "error",
      comment:
        "harness/ is the layer under the tests, the bench and the demo: it imports none of them.",
      from: { path: "^harness/" },
      to: { path: "^scripts/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
