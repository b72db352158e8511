import { decode, type DecodeLimits, encode, WireError } from "../wire/mod.ts";

/**
 * Length-prefixed CBOR frames over a byte stream (job-process stdin/stdout): 4-byte big-endian
 * length, then one message of the strict codec. The length is checked against the limit before
 * anything is buffered.
 */
export class FrameReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #maxBytes: number;
  readonly #limits: Partial<DecodeLimits>;
  /** Bytes read but not yet consumed. */
  #rest: Uint8Array = new Uint8Array(0);

  constructor(
    stream: ReadableStream<Uint8Array>,
    options: { maxBytes?: number; limits?: Partial<DecodeLimits> } = {},
  ) {
    this.#reader = stream.getReader();
    this.#maxBytes = options.maxBytes ?? 1024 ** 3;
    this.#limits = options.limits ?? {};
  }

  /** Fills `out` from the buffered rest and the stream; returns how many bytes it got. */
  async #readInto(out: Uint8Array): Promise<number> {
    let at = Math.min(this.#rest.length, out.length);
    out.set(this.#rest.subarray(0, at));
    this.#rest = this.#rest.subarray(at);
    while (at < out.length) {
      const { value, done } = await this.#reader.read();
      if (done) return at;
      const n = Math.min(value.length, out.length - at);
      out.set(value.subarray(0, n), at);
      at += n;
      if (n < value.length) this.#rest = value.subarray(n);
    }
    return at;
  }

  /** The next message, or undefined at a clean end of stream. Throws WireError on bad input. */
  async next(): Promise<unknown> {
    const head = new Uint8Array(4);
    const got = await this.#readInto(head);
    if (got === 0) return undefined;
    if (got < 4) throw new WireError("CBOR_MALFORMED", "Stream ended inside a frame header");
    const len = new DataView(head.buffer).getUint32(0);
    if (len > this.#maxBytes) {
      throw new WireError("CBOR_LIMIT", `Frame of ${len} bytes exceeds ${this.#maxBytes}`, {
        limit: "max_message_bytes",
      });
    }
    // One allocation of the announced size, filled once: the decoded views point into it.
    const body = new Uint8Array(len);
    if (await this.#readInto(body) < len) {
      throw new WireError("CBOR_MALFORMED", "Stream ended inside a frame");
    }
    return decode(body, { limits: this.#limits });
  }

  cancel(): Promise<void> {
    return this.#reader.cancel().catch(() => {});
  }
}

/** Encodes one message as a frame. */
export function frame(message: unknown): Uint8Array {
  const body = encode(message);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}
