// The real access log this repository carries (data/README.md says where it comes from), and
// the one reader every script and test uses for it and for users' own logs: plain or gzip.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** data/apache_combined_2015-05.log.gz: 10,000 unmodified lines of a real combined log. */
export const SAMPLE_LOG_PATH = fileURLToPath(
  new URL("../data/apache_combined_2015-05.log.gz", import.meta.url),
);

/** The text of an access log; a `.gz` file is decompressed with Node's zlib. */
export function readLogFile(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}
