// Write keys: strong random strings handed out once; only their SHA-256 is stored, so a
// leaked database dump does not leak keys.

export const WRITE_KEY_PREFIX = "wk_";
const WRITE_KEY_RANDOM_BYTES = 24;

export function generateWriteKey(): string {
  const bytes = new Uint8Array(WRITE_KEY_RANDOM_BYTES);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return WRITE_KEY_PREFIX + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
