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
  #buf: Uint8Array = new Uint8Array(0);

  constructor(
    stream: ReadableStream<Uint8Array>,
    options: { maxBytes?: number; limits?: Partial<DecodeLimits> } = {},
  ) {
    this.#reader = stream.getReader();
    this.#maxBytes = options.maxBytes ?? 1024 ** 3;
    this.#limits = options.limits ?? {};
  }

  async #fill(n: number): Promise<boolean> {
    const parts: Uint8Array[] = [this.#buf];
    let have = this.#buf.length;
    while (have < n) {
      const { value, done } = await this.#reader.read();
      if (done) return false;
      parts.push(value);
      have += value.length;
    }
    if (parts.length > 1) {
      const joined = new Uint8Array(have);
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.length;
      }
      this.#buf = joined;
    }
    return true;
  }

  /** The next message, or undefined at a clean end of stream. Throws WireError on bad input. */
  async next(): Promise<unknown> {
    if (!await this.#fill(4)) {
      if (this.#buf.length === 0) return undefined;
      throw new WireError("CBOR_MALFORMED", "Stream ended inside a frame header");
    }
    const len = new DataView(this.#buf.buffer, this.#buf.byteOffset, 4).getUint32(0);
    if (len > this.#maxBytes) {
      throw new WireError("CBOR_LIMIT", `Frame of ${len} bytes exceeds ${this.#maxBytes}`, {
        limit: "max_message_bytes",
      });
    }
    if (!await this.#fill(4 + len)) {
      throw new WireError("CBOR_MALFORMED", "Stream ended inside a frame");
    }
    // Copy the frame out so the decoded views do not pin the rest of the stream buffer.
    const frame = this.#buf.slice(4, 4 + len);
    this.#buf = this.#buf.subarray(4 + len);
    return decode(frame, { limits: this.#limits });
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
