// Property and trait keys as stored. Keys become Convex field names (an event's props and
// traits, a session's kept custom events), and a field name must be printable ASCII and must
// not start with "$"; yet PostHog and Segment send "$browser", and people name keys in any
// script. Such a key is stored in an escaped form; every key that already was a valid field
// name is its own stored form, so everything stored before this codec reads as it did.
//
// The escaped form is longer than MAX_PROP_KEY_LENGTH, which no key a sender may give is: that
// is what keeps it apart from every plain key (a prefix could not: any printable prefix starts
// some legal plain key). Inside it, "$", "%", "~" and every UTF-16 code unit outside printable
// ASCII are written "%" + 4 hex digits, and "~" pads it past the length. Code units, not UTF-8
// bytes, so that any string has a stored form (a lone surrogate is refused by validation, with
// its reason, rather than by an exception here).
import { MAX_PROP_KEY_LENGTH } from "../lib/limits.js";

const PAD = "~";
/** Printable ASCII but "$", "%" and "~": the characters an escaped form keeps as they are. */
const KEPT = /[\x20-\x23\x26-\x7d]/;
const ESCAPED_BODY = /^(?:[\x20-\x23\x26-\x7d]|%[0-9A-F]{4})*$/;

/** A valid Convex field name no longer than a sender's key may be: stored as it is. */
function isPlain(key: string): boolean {
  return key.length <= MAX_PROP_KEY_LENGTH && /^[\x20-\x7e]*$/.test(key) && !key.startsWith("$");
}

function escape(key: string): string {
  let body = "";
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    body += KEPT.test(c) ? c : "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  }
  return body.padEnd(MAX_PROP_KEY_LENGTH + 1, PAD);
}

/**
 * The key a stored key stands for. A stored key no longer than MAX_PROP_KEY_LENGTH is plain;
 * a longer one that is not exactly the escaped form of some key reads as itself.
 */
export function decodePropKey(stored: string): string {
  if (stored.length <= MAX_PROP_KEY_LENGTH) return stored;
  const body = stored.replace(/~+$/, "");
  if (!ESCAPED_BODY.test(body)) return stored;
  const key = body.replace(/%([0-9A-F]{4})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return escape(key) === stored ? key : stored;
}

/**
 * The stored form of a key: the key itself when it is a valid field name of at most
 * MAX_PROP_KEY_LENGTH characters, else its escaped form. A stored form is its own stored form,
 * so a caller that had to encode keys to pass them through Convex (a host mutation's
 * arguments, `importEvents` objects) can send them encoded.
 */
export function encodePropKey(key: string): string {
  return isPlain(key) || decodePropKey(key) !== key ? key : escape(key);
}

function mapKeys<T>(record: Record<string, T>, fn: (key: string) => string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [fn(key), value]));
}

/** Props or traits with every key in its stored form. */
export function encodePropKeys<T>(record: Record<string, T>): Record<string, T> {
  return mapKeys(record, encodePropKey);
}

/** Props or traits as stored (`listEvents` returns them so) with their keys as sent. */
export function decodePropKeys<T>(record: Record<string, T>): Record<string, T> {
  return mapKeys(record, decodePropKey);
}
