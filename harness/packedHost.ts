// A host app made the way a user makes one: the README's four host files written verbatim,
// `_generated/` written with the convex package's own codegen templates (the form
// `npx convex codegen` writes for an app that uses a component, which needs a deployment we
// can't reach), and the Convex CLI's own bundler run over the installed component and the host.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

/** The four files contract §1 names, in README order: `**N. \`convex/<file>\`**` then a ts block. */
export const HOST_FILES = ["convex.config.ts", "http.ts", "analytics.ts", "crons.ts"] as const;

/** The README's host files, keyed by file name, exactly as a user would copy them. */
export function readmeHostFiles(readme: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of HOST_FILES) {
    const heading = readme.indexOf(`\`convex/${name}\`**`);
    if (heading < 0) throw new Error(`README has no host file heading for convex/${name}`);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(heading));
    if (!block) throw new Error(`README has no ts block after the heading of convex/${name}`);
    files[name] = block[1]!;
  }
  return files;
}

type Cli = {
  ctx: unknown;
  /** The installed convex package's folder: its CLI internals are not in its `exports`. */
  convexRoot: string;
  require: NodeRequire;
};

/**
 * The CLI's internals import its terminal and telemetry libraries (chalk, ora, @sentry/node,
 * …), which its published bundle (`convex` on the PATH) inlines and the package does not list
 * as dependencies, so they are absent from a user's node_modules. Neither the codegen
 * templates nor the bundler need them to do their work (they only colour log lines), so a
 * bare import the host can't resolve gets an inert stand-in: any property is itself, and a
 * call returns its first argument (`chalk.yellow(text)` is `text`).
 */
const inert: object = new Proxy(function () {}, {
  get: (_target, property) => (property === "__esModule" ? false : inert),
  apply: (_target, _this, args: unknown[]) => args[0],
});

function requireWithoutCliExtras(require: NodeRequire, path: string) {
  type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    // chalk always: another major version may resolve (the CLI's is 5, with chalkStderr).
    if (request === "chalk") return inert;
    try {
      return load.call(this, request, parent, isMain);
    } catch (error) {
      const bare = !request.startsWith(".") && !request.startsWith("/");
      if (bare && (error as { code?: string }).code === "MODULE_NOT_FOUND") return inert;
      throw error;
    }
  };
  try {
    return require(path);
  } finally {
    loader._load = load;
  }
}

/** The convex package's CLI internals, loaded from the host's own node_modules. */
function convexCli(hostDir: string): Cli {
  const require = createRequire(join(hostDir, "package.json"));
  const convexRoot = dirname(require.resolve("convex/package.json"));
  const { nodeFs } = requireWithoutCliExtras(require, join(convexRoot, "dist/cjs/bundler/fs.js"));
  const ctx = {
    fs: nodeFs,
    deprecationMessagePrinted: false,
    crash: async (args: { printedMessage?: string }) => {
      throw new Error(args.printedMessage ?? "convex CLI crashed");
    },
    registerCleanup: () => "cleanup",
    removeCleanup: () => null,
  };
  return { ctx, convexRoot, require };
}

const cjs = (cli: Cli, path: string) =>
  requireWithoutCliExtras(cli.require, join(cli.convexRoot, "dist/cjs", path));

/** Writes convex/_generated/{api,server,dataModel}.{js,d.ts} as `convex codegen` does. */
export async function writeGenerated(hostDir: string, componentImport: string, name: string) {
  const cli = convexCli(hostDir);
  const convexDir = join(hostDir, "convex");
  const out = join(convexDir, "_generated");
  mkdirSync(out, { recursive: true });
  const componentApi = cjs(cli, "cli/codegen_templates/component_api.js");
  const server = cjs(cli, "cli/codegen_templates/server.js");
  const dataModel = cjs(cli, "cli/codegen_templates/dataModel.js");
  const common = cjs(cli, "cli/codegen_templates/common.js");
  const { entryPoints } = cjs(cli, "bundler/index.js");
  const { moduleIdentifier, importPath } = cjs(cli, "cli/codegen_templates/api.js");

  // api.d.ts: the dynamic api objects (componentApiDTS without a deployment's analysis),
  // then the component's ComponentApi imported by package name (useComponentApiImports).
  const modules = ((await entryPoints(cli.ctx, convexDir)) as string[])
    .map((p) => relative(convexDir, p))
    .sort(common.compareModulePaths);
  const apiDts = [
    common.header("Generated `api` utility."),
    ...modules.map((m) => `import type * as ${moduleIdentifier(m)} from "../${importPath(m)}.js";`),
    `import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";`,
    `declare const fullApi: ApiFromModules<{`,
    ...modules.map((m) => `  "${importPath(m)}": typeof ${moduleIdentifier(m)},`),
    `}>;`,
    `export declare const api: FilterApi<typeof fullApi, FunctionReference<any, "public">>;`,
    `export declare const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">>;`,
    `export declare const components: {`,
    `  "${name}": import("${componentImport}/_generated/component.js").ComponentApi<"${name}">,`,
    `};`,
  ].join("\n");
  writeFileSync(join(out, "api.d.ts"), apiDts);
  writeFileSync(join(out, "api.js"), componentApi.componentApiJs());
  const serverFiles = server.serverCodegen({ useTypeScript: false, envVars: undefined });
  writeFileSync(join(out, "server.js"), serverFiles.JS);
  writeFileSync(join(out, "server.d.ts"), serverFiles.DTS);
  writeFileSync(join(out, "dataModel.d.ts"), dataModel.noSchemaDataModelDTS());
  const tsconfig = cjs(cli, "cli/codegen_templates/tsconfig.js");
  writeFileSync(join(convexDir, "tsconfig.json"), tsconfig.tsconfigCodegen());
  return modules;
}

/** The bundled modules' paths (entry points and `_deps/` chunks) and their total size. */
export type BundleReport = { paths: string[]; bytes: number };

/**
 * Bundles a folder of Convex functions with the CLI's bundler for the default runtime
 * (platform "browser", as `convex deploy` does for every module without "use node"). A Node
 * built-in reaching that runtime fails here with esbuild's "Could not resolve" error.
 */
export async function bundleForDefaultRuntime(
  hostDir: string,
  functionsDir: string,
): Promise<BundleReport> {
  const cli = convexCli(hostDir);
  const { bundle, entryPoints } = cjs(cli, "bundler/index.js");
  const result = await bundle({
    ctx: cli.ctx,
    dir: functionsDir,
    entryPoints: await entryPoints(cli.ctx, functionsDir),
    generateSourceMaps: false,
    platform: "browser",
  });
  const modules = result.modules as { path: string; source: string }[];
  return {
    paths: modules.map((m) => m.path).sort(),
    bytes: modules.reduce((sum, m) => sum + Buffer.byteLength(m.source), 0),
  };
}

/** The folder the installed `<pkg>/convex.config` lives in: what the CLI bundles. */
export function componentDir(hostDir: string, pkg: string): string {
  const require = createRequire(join(hostDir, "package.json"));
  return dirname(require.resolve(`${pkg}/convex.config`));
}

export const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
