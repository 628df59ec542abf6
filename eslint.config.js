// Lint like a Convex project: typescript-eslint's recommended rules everywhere, and the
// Convex plugin's rules (made for mistakes in Convex function files) on the component and on
// the example host app, which are the two folders of Convex functions this repository ships.
import js from "@eslint/js";
import convexPlugin from "@convex-dev/eslint-plugin";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const convexRules = convexPlugin.configs.recommended[0].rules;

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "**/_generated/**", "coverage/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["**/*.tsx", "src/react/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    // The two classic rules; the React Compiler rules of v7's preset assume the compiler.
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    files: ["src/component/**/*.ts", "example/convex/**/*.ts"],
    ignores: ["**/*.test.ts"],
    plugins: { "@convex-dev": convexPlugin },
    rules: {
      ...convexRules,
      "@convex-dev/no-collect-in-query": "error",
    },
  },
  {
    // Tests and their harness (the footprint recorder among it) handle values of any shape on purpose.
    files: ["test/**/*.ts", "test/**/*.tsx", "harness/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.mjs", "scripts/**/*.ts"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
