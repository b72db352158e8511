// Helpers shared by the codec's tests.
import assert from "node:assert/strict";
import { WireError, type WireErrorCode } from "./wire_error.ts";

/** Bytes from a hex string; spaces are ignored. */
export function hex(s: string): Uint8Array<ArrayBuffer> {
  const clean = s.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Asserts that `fn` throws a WireError with `code` (and the given details) and returns it. */
export function assertWireError(
  fn: () => unknown,
  code: WireErrorCode,
  detail: { offset?: number; path?: string; tag?: number; limit?: string } = {},
): WireError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof WireError, `expected WireError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const [k, v] of Object.entries(detail)) {
    assert.equal(caught[k as keyof typeof detail], v, `${k} of: ${caught.message}`);
  }
  return caught;
}
