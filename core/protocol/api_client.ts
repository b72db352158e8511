import { decode, encode, WireError } from "../wire/mod.ts";
import type { Certificate } from "../pki/mod.ts";
import { API } from "./api_kinds.ts";
import { ApiError, TransportError } from "./api_error.ts";
import { toBase64Url } from "./base64.ts";
import { CBOR_TYPE, HEADERS } from "./headers.ts";
import { type SessionCredentials, signRequest } from "./sign_request.ts";
import { verifyResponse } from "./verify_response.ts";

/** How to reach the server (from the kit: `provisioning.md` §2.2, `transport.md` §2). */
export interface ApiClientOptions {
  /** `host:port` to dial. */
  target: string;
  security: "clear" | "tls" | "mtls";
  /** PEM roots the TLS server certificate must chain to (`rootCA.pem`, or the custom CA in tls). */
  caPem: string;
  /** Own certificate and key PEM, presented in mtls. */
  certPem?: string;
  keyPem?: string;
  /** Per-request timeout in milliseconds (connect, first byte and body). */
  timeoutMs?: number;
  /** Largest reply accepted, in bytes. */
  maxReplyBytes?: number;
}

/** A reply whose signature has not been checked yet. */
export interface RawReply {
  status: number;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  /** The nonce this request sent; the response signature covers it. */
  nonce: Uint8Array;
}

/** A decoded, schema-checked reply. */
export type Reply = { kind: string; v: number } & Record<string, unknown>;

/**
 * HTTP client of the Stockade API used by sites and the console: CBOR bodies, request signatures
 * once a session exists, and every response verified against the server certificate before it is
 * believed. Requires `--allow-net` for the server address.
 */
export class ApiClient {
  readonly #base: string;
  readonly #client: Deno.HttpClient | undefined;
  readonly #timeoutMs: number;
  readonly #maxReply: number;
  /** The server certificate learnt from the challenge; responses must be signed by its key. */
  serverCert: Certificate | undefined;

  constructor(options: ApiClientOptions) {
    this.#base = `${options.security === "clear" ? "http" : "https"}://${options.target}`;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxReply = options.maxReplyBytes ?? 1024 ** 3;
    if (options.security === "clear") {
      this.#client = undefined;
    } else if (options.security === "tls") {
      this.#client = Deno.createHttpClient({ caCerts: [options.caPem], http2: true, http1: true });
    } else {
      if (!options.certPem || !options.keyPem) {
        throw new TypeError("An mtls client needs its certificate and key");
      }
      this.#client = Deno.createHttpClient({
        caCerts: [options.caPem],
        cert: options.certPem,
        key: options.keyPem,
        http2: true,
        http1: true,
      });
    }
  }

  close(): void {
    this.#client?.close();
  }

  /** Sends one message; signs it when `session` is given. Throws TransportError on I/O failure. */
  async exchange(
    route: string,
    message: unknown,
    session?: SessionCredentials,
    options: { signal?: AbortSignal } = {},
  ): Promise<RawReply> {
    const body = encode(message);
    let nonce: Uint8Array;
    const headers: Record<string, string> = { "content-type": CBOR_TYPE };
    if (session) {
      const signed = await signRequest("POST", route, body, session);
      Object.assign(headers, signed.headers);
      nonce = signed.nonce;
    } else {
      // Unauthenticated kinds still carry a nonce, so the response can be bound to this request.
      nonce = crypto.getRandomValues(new Uint8Array(16));
      headers[HEADERS.nonce] = toBase64Url(nonce);
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.#base + route, {
        method: "POST",
        headers,
        body,
        signal,
        ...(this.#client ? { client: this.#client } : {}),
      });
    } catch (err) {
      throw new TransportError(`Cannot reach the server at "${this.#base}": ${describe(err)}`, {
        cause: err,
      });
    }
    try {
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > this.#maxReply) {
        await res.body?.cancel();
        throw new TransportError(`Reply of ${declared} bytes exceeds the limit ${this.#maxReply}`);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > this.#maxReply) {
        throw new TransportError(
          `Reply of ${bytes.length} bytes exceeds the limit ${this.#maxReply}`,
        );
      }
      return { status: res.status, headers: res.headers, body: bytes, nonce };
    } catch (err) {
      if (err instanceof TransportError) throw err;
      throw new TransportError(`Reply from "${this.#base}" was cut off: ${describe(err)}`, {
        cause: err,
      });
    }
  }

  /**
   * Checks the reply's signature against `server` (default: the certificate learnt at
   * registration), decodes it, and turns an `error` body into an ApiError.
   */
  async open(raw: RawReply, server: Certificate | undefined = this.serverCert): Promise<Reply> {
    if (server === undefined) {
      throw new TransportError("No server certificate to verify the reply with");
    }
    const bad = await verifyResponse(raw.status, raw.headers, raw.body, raw.nonce, server);
    if (bad !== undefined) throw new TransportError(`Dropped a reply from the server: ${bad}`);
    let reply: Reply;
    try {
      reply = API.parse(decode(raw.body));
    } catch (err) {
      const what = err instanceof WireError ? err.message : String(err);
      throw new TransportError(`Dropped a malformed reply (status ${raw.status}): ${what}`);
    }
    if (reply.kind === "error") {
      throw new ApiError(
        raw.status,
        reply.code as string,
        reply.message as string,
        reply.reason as string | undefined,
      );
    }
    if (raw.status !== 200) {
      throw new TransportError(`Reply of kind "${reply.kind}" came with status ${raw.status}`);
    }
    return reply;
  }

  /** `exchange` then `open`, expecting one of `kinds`; `signal` cancels the request. */
  async call(
    route: string,
    message: unknown,
    kinds: string[],
    session?: SessionCredentials,
    options: { signal?: AbortSignal } = {},
  ): Promise<Reply> {
    const reply = await this.open(await this.exchange(route, message, session, options));
    if (!kinds.includes(reply.kind)) {
      throw new TransportError(
        `Expected a reply of kind ${kinds.join(" or ")}, got "${reply.kind}"`,
      );
    }
    return reply;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Deno's fetch hides the TLS reason ("invalid peer certificate: UnknownIssuer") in the cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}
