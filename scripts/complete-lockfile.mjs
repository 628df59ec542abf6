// Completes package-lock.json for `npm ci` on this project's registry mirror.
//
// Why: the registry reachable here serves only the platform builds of rollup
// it was seeded with (linux x64/arm64 glibc). `npm install` then leaves the
// other optional platform packages out of the lock, and `npm ci` refuses the
// lock as "Missing: @rollup/rollup-darwin-arm64@ from lock file". An entry
// that names the package's os/cpu is all `npm ci` needs: on a platform that
// does not match, it skips the optional package without fetching it.
//
// Run after every `npm install` that changes the lock:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const LOCK_PATH = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(LOCK_PATH, "utf8"));
const packages = lock.packages;

// Platform triple from a native package name such as
// "@rollup/rollup-linux-arm64-musl" or "@esbuild/win32-x64".
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const osNames = [
    "android",
    "darwin",
    "freebsd",
    "linux",
    "openbsd",
    "openharmony",
    "win32",
    "netbsd",
    "sunos",
    "aix",
  ];
  const osIndex = parts.findIndex((part) => osNames.includes(part));
  if (osIndex < 0) return null;
  const cpuByName = {
    arm: "arm",
    arm64: "arm64",
    x64: "x64",
    ia32: "ia32",
    loong64: "loong64",
    ppc64: "ppc64",
    riscv64: "riscv64",
    s390x: "s390x",
  };
  const cpu = cpuByName[parts[osIndex + 1]];
  if (!cpu) return null;
  const rest = parts.slice(osIndex + 2);
  const libc = rest.includes("musl")
    ? "musl"
    : rest.includes("gnu") || rest.includes("gnueabihf")
      ? "glibc"
      : null;
  return { os: parts[osIndex], cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? path + "/" : ""}node_modules/${dependency}`;
    if (packages[nested] || packages[`node_modules/${dependency}`]) continue;
    const platform = platformOf(dependency);
    if (!platform)
      throw new Error(
        `${dependency} (optional dependency of ${path}) is missing from the lock and is not a platform package`,
      );
    packages[`node_modules/${dependency}`] = {
      version,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      license: entry.license,
      optional: true,
      os: [platform.os],
    };
    added += 1;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(LOCK_PATH, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform entries`);
