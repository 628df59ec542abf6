// @vitest-environment node
// The install gate: the repository and the package as a user gets them, not as this checkout
// has them. (1) A clone with nothing beside it (no shared/ folder next to it) installs with `npm ci` and its
// `npm run demo -- --print` prints the accuracy test's figures. (2) The tarball `npm pack`
// makes of that clone installs with a plain `npm install` into a fresh host app, at the lowest
// and the newest convex we support; the README's four host files, copied verbatim, type-check;
// the CLI's bundler bundles the installed component and the host for the default runtime; and
// a convex-test smoke test runs in the host through the installed `convex-analytics/test`.
// Needs the npm registry (CI has it). It tests the committed HEAD, as a clone does.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleForDefaultRuntime,
  componentDir,
  HOST_FILES,
  readJson,
  readmeHostFiles,
  writeGenerated,
} from "../../harness/packedHost.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ours = readJson(join(ROOT, "package.json"));
/** The convex versions the gate installs: the lowest the peer range allows and the newest. */
export const SUPPORTED_CONVEX = ["1.46.0", "1.49.0"] as const;
const MINUTE = 60_000;

const exec = promisify(execFile);
async function run(cwd: string, command: string, args: string[]) {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_ENV: "development" },
    });
    return { stdout, stderr, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}:\n${e.stderr || e.stdout || e.message}`,
    );
  }
}

let work: string;
let clone: string;
let tarball: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "convex-analytics-gate-"));
  clone = join(work, "convex-analytics");
  await run(work, "git", ["clone", "--quiet", ROOT, clone]);
  await run(clone, "npm", ["ci", "--no-audit", "--no-fund"]);
  const packed = await run(clone, "npm", ["pack", "--silent", "--pack-destination", work]);
  tarball = join(work, packed.stdout.trim().split("\n").pop()!);
}, 10 * MINUTE);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a clone with nothing beside it", () => {
  it(
    "has no shared/ folder next to it and prints the real log's exact figures with `npm run demo -- --print`",
    async () => {
      expect(() => readFileSync(join(work, "shared/data/apache_combined_2015-05.log"))).toThrow();
      const { stdout } = await run(clone, "npm", ["run", "--silent", "demo", "--", "--print"]);
      // The accuracy test's figures (test/accuracy/pipeline.test.ts) for the whole log.
      expect(stdout).toMatch(/pageviews\s+1389\n/);
      expect(stdout).toMatch(/visitors\s+911\n/);
      expect(stdout).toMatch(/sessions\s+1043\n/);
    },
    5 * MINUTE,
  );
});

describe("the packed package", () => {
  it("ships no install scripts, and its ./test entry is the TypeScript source convex-test globs", () => {
    const manifest = readJson(join(clone, "package.json"));
    for (const hook of ["preinstall", "install", "postinstall"])
      expect(manifest.scripts?.[hook]).toBeUndefined();
    // The peer range starts at the lowest convex the gate installs, so what we state is tested.
    expect(manifest.peerDependencies.convex).toBe(`^${SUPPORTED_CONVEX[0]}`);
    expect(manifest.exports["./test"]).toEqual({
      types: "./src/test.ts",
      default: "./src/test.ts",
    });
  });

  for (const convexVersion of SUPPORTED_CONVEX) {
    it(
      `installs with a plain npm install next to convex ${convexVersion}, type-checks the README's host files, bundles for the default runtime and passes a convex-test smoke test`,
      async () => {
        const host = join(work, `host-convex-${convexVersion}`);
        mkdirSync(join(host, "convex"), { recursive: true });
        mkdirSync(join(host, "tests"), { recursive: true });
        writeFileSync(
          join(host, "package.json"),
          JSON.stringify(
            {
              name: "host-app",
              private: true,
              type: "module",
              dependencies: {
                "convex-analytics": `file:${tarball}`,
                convex: convexVersion,
                react: ours.devDependencies.react,
                "react-dom": ours.devDependencies["react-dom"],
              },
              devDependencies: {
                "@edge-runtime/vm": ours.devDependencies["@edge-runtime/vm"],
                "@types/react": ours.devDependencies["@types/react"],
                "convex-test": ours.devDependencies["convex-test"],
                typescript: ours.devDependencies.typescript,
                vitest: ours.devDependencies.vitest,
              },
            },
            null,
            2,
          ),
        );
        const install = await run(host, "npm", ["install"]);
        expect(install.stdout + install.stderr).not.toMatch(/ERESOLVE|overriding peer dependency/);

        const files = readmeHostFiles(readFileSync(join(clone, "README.md"), "utf8"));
        for (const name of HOST_FILES) writeFileSync(join(host, "convex", name), files[name]!);
        const modules = await writeGenerated(host, "convex-analytics", "analytics");
        expect(modules.sort()).toEqual(["analytics.ts", "crons.ts", "http.ts"]);

        // Type-check with the tsconfig `convex dev` writes, and once more checking the package's
        // own declaration files (skipLibCheck off for them) so a type error we ship shows here.
        await run(host, "npx", ["tsc", "-p", "convex/tsconfig.json"]);
        writeFileSync(
          join(host, "tsconfig.package.json"),
          JSON.stringify({
            compilerOptions: {
              strict: true,
              skipLibCheck: false,
              noEmit: true,
              module: "esnext",
              moduleResolution: "bundler",
              target: "esnext",
              jsx: "react-jsx",
              types: [],
            },
            files: ["client/index", "component/convex.config", "react/index", "tracker/index"].map(
              (entry) => `node_modules/convex-analytics/dist/${entry}.d.ts`,
            ),
          }),
        );
        await run(host, "npx", ["tsc", "-p", "tsconfig.package.json"]);

        const component = await bundleForDefaultRuntime(
          host,
          componentDir(host, "convex-analytics"),
        );
        expect(component.paths).toEqual(
          expect.arrayContaining(["ingest.js", "worker.js", "reports.js"]),
        );
        const app = await bundleForDefaultRuntime(host, join(host, "convex"));
        expect(app.paths.filter((p) => !p.startsWith("_deps/"))).toEqual([
          "analytics.js",
          "crons.js",
          "http.js",
        ]);
        console.log(
          `package gate, convex ${convexVersion}: npm install ${install.seconds.toFixed(0)} s; component bundle ${component.paths.length} modules, ${(component.bytes / 1024).toFixed(0)} KiB; host bundle ${(app.bytes / 1024).toFixed(0)} KiB`,
        );

        copyFileSync(
          join(ROOT, "test/package/smoke.host-test.ts"),
          join(host, "tests/smoke.test.ts"),
        );
        writeFileSync(
          join(host, "vitest.config.ts"),
          `import { defineConfig } from "vitest/config";
export default defineConfig({
  test: { environment: "edge-runtime", server: { deps: { inline: ["convex-test"] } } },
});
`,
        );
        const smoke = await run(host, "npx", ["vitest", "run"]);
        expect(smoke.stdout).toMatch(/1 passed/);
      },
      8 * MINUTE,
    );
  }
});
