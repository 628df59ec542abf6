// The component's bundle as the Convex CLI builds it for a deployment: the installed
// component's folder (dist/component) through the CLI's own bundler for the default runtime
// (harness/packedHost.ts `bundleForDefaultRuntime`), and which packages its bytes come from.
//
// dist/component is what a user's `npx convex deploy` bundles. When it is older than any
// source of src/component (nobody ran `npm run build` since the last edit) the sources are
// bundled instead: the same modules, with esbuild's TypeScript transform instead of tsc's.
// The CLI's bundler keeps no metafile, so the shares per package come from esbuild run with
// the CLI's own options (debugBundle.ts innerEsbuild) over the same entry points.
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleForDefaultRuntime } from "../../harness/packedHost.js";
import { round } from "../../harness/component.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Packages listed by name in the report; the rest are summed as "other". */
const TOP_PACKAGES = 6;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

const newest = (paths: string[]) => Math.max(...paths.map((p) => statSync(p).mtimeMs));

/** dist/component when it is as new as every source of src/component, else src/component. */
function functionsDir(): { dir: string; fromSources: boolean } {
  const dist = join(ROOT, "dist/component");
  const sources = files(join(ROOT, "src/component")).filter((p) => !p.includes(".test."));
  try {
    const built = files(dist).filter((p) => p.endsWith(".js"));
    if (built.length > 0 && Math.min(...built.map((p) => statSync(p).mtimeMs)) >= newest(sources))
      return { dir: dist, fromSources: false };
  } catch {
    // no dist
  }
  return { dir: join(ROOT, "src/component"), fromSources: true };
}

/** The CLI's entry points (bundler/index.js entryPoints): module files, one dot, no schema. */
function entryPoints(dir: string): string[] {
  return files(dir).filter((p) => {
    const rel = relative(dir, p);
    const base = rel.split(sep).pop()!;
    return (
      /\.(js|ts|tsx|mjs|cjs|jsx)$/.test(base) &&
      !rel.startsWith("_generated" + sep) &&
      !base.startsWith(".") &&
      !/^schema\.[jt]s$/.test(base) &&
      (base.match(/\./g) ?? []).length === 1
    );
  });
}

/** node_modules/<name> or node_modules/@scope/<name> of an input path; null for own code. */
function packageOf(input: string): string | null {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replace(/\\/g, "/"));
  return m ? m[1]! : null;
}

export async function benchBundle() {
  const { dir, fromSources } = functionsDir();
  const report = await bundleForDefaultRuntime(ROOT, dir);
  const meta = await build({
    entryPoints: entryPoints(dir),
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "esnext",
    outdir: "out",
    outbase: dir,
    conditions: ["convex", "module"],
    write: false,
    splitting: true,
    chunkNames: "_deps/[hash]",
    treeShaking: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    keepNames: true,
    define: { "process.env.NODE_ENV": '"production"' },
    metafile: true,
    logLevel: "silent",
  });
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const output of Object.values(meta.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input) ?? "convex-analytics (own code)";
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
      total += bytesInOutput;
    }
  }
  const sorted = [...byPackage].sort((a, b) => b[1] - a[1]);
  const top = sorted.slice(0, TOP_PACKAGES);
  const rest = sorted.slice(TOP_PACKAGES).reduce((sum, [, bytes]) => sum + bytes, 0);
  const share = (bytes: number) => round(bytes / total, 3);
  return {
    functionsDir: relative(ROOT, dir),
    fromSources,
    modules: report.paths.length,
    bytes: report.bytes,
    kib: round(report.bytes / 1024, 1),
    /** Bytes of input code in the metafile's outputs, per package (before chunk boilerplate). */
    packages: [
      ...top.map(([name, bytes]) => ({ name, kib: round(bytes / 1024, 1), share: share(bytes) })),
      ...(rest > 0 ? [{ name: "other", kib: round(rest / 1024, 1), share: share(rest) }] : []),
    ],
  };
}
