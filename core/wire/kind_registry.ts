import { decode, type DecodeOptions } from "./decode.ts";
import { encode } from "./encode.ts";
import { object, type ObjectOf, type Schema } from "./schema.ts";
import { WireError } from "./wire_error.ts";

/** The protocol version every message carries as `v`. */
export const WIRE_VERSION = 1;

type Fields = Record<string, Schema<unknown>>;

/** A registered message kind: its name, the route it may be posted to, and its body type. */
export interface KindDef<K extends string, T> {
  readonly kind: K;
  readonly route: string | undefined;
  /** Builds a message of this kind, validating the fields as the receiver will. */
  make(fields: T): Message<K, T>;
}

/** A message body: `kind`, `v` and the kind's own fields. */
export type Message<K extends string, T> = { kind: K; v: typeof WIRE_VERSION } & T;

interface Entry {
  route: string | undefined;
  schema: Schema<unknown>;
}

/**
 * The registry of message kinds one channel accepts (`wire-and-auth.md` §2). Each kind has a
 * schema; a body with an unknown kind, a kind posted to another route, a wrong version or a
 * field outside the schema is refused.
 *
 * ```ts
 * const kinds = new KindRegistry();
 * const hello = kinds.define("hello", { name: text({ maxBytes: 64 }) }, { route: "/v1/hello" });
 * const msg = kinds.parse(decode(bytes), { route: "/v1/hello" });
 * ```
 */
export class KindRegistry {
  readonly #kinds = new Map<string, Entry>();

  define<const K extends string, F extends Fields>(
    kind: K,
    fields: F,
    opts: { route?: string } = {},
  ): KindDef<K, ObjectOf<F>> {
    if (this.#kinds.has(kind)) throw new TypeError(`Message kind "${kind}" is already registered`);
    if ("kind" in fields || "v" in fields) {
      throw new TypeError(`Message kind "${kind}" must not define the fields "kind" or "v"`);
    }
    const schema = object(fields);
    this.#kinds.set(kind, { route: opts.route, schema });
    return {
      kind,
      route: opts.route,
      make: (body) => {
        schema.validate(body, "$");
        return { ...body, kind, v: WIRE_VERSION } as Message<K, ObjectOf<F>>;
      },
    };
  }

  /** The registered kind names. */
  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** The kind posted to `route`, if exactly one is registered there. */
  kindForRoute(route: string): string | undefined {
    const found = [...this.#kinds].filter(([, e]) => e.route === route).map(([k]) => k);
    return found.length === 1 ? found[0] : undefined;
  }

  /**
   * Checks a decoded body against its kind's schema. With `route`, the kind must be the one
   * registered for that route.
   *
   * @throws {WireError} `UNKNOWN_KIND`, `KIND_ROUTE_MISMATCH` or `SCHEMA_VIOLATION` (with the path)
   */
  parse(
    body: unknown,
    opts: { route?: string } = {},
  ): { kind: string; v: number } & Record<string, unknown> {
    if (
      typeof body !== "object" || body === null || Array.isArray(body) || body instanceof Uint8Array
    ) {
      throw new WireError("SCHEMA_VIOLATION", "Message body must be a map", { path: "$" });
    }
    const b = body as Record<string, unknown>;
    if (typeof b.kind !== "string") {
      throw new WireError("SCHEMA_VIOLATION", "Field $.kind must be a text string", {
        path: "$.kind",
      });
    }
    const entry = this.#kinds.get(b.kind);
    if (entry === undefined) {
      throw new WireError("UNKNOWN_KIND", `Unknown message kind "${b.kind.slice(0, 64)}"`, {
        path: "$.kind",
      });
    }
    if (opts.route !== undefined && entry.route !== opts.route) {
      throw new WireError(
        "KIND_ROUTE_MISMATCH",
        `Message kind "${b.kind}" cannot be posted to "${opts.route}"` +
          (entry.route ? `; it belongs to "${entry.route}"` : "; it is a reply kind"),
        { path: "$.kind" },
      );
    }
    if (b.v !== WIRE_VERSION) {
      throw new WireError(
        "SCHEMA_VIOLATION",
        `Field $.v must be ${WIRE_VERSION}, got ${String(b.v)}`,
        {
          path: "$.v",
        },
      );
    }
    const { kind: _k, v: _v, ...fields } = b;
    entry.schema.validate(fields, "$");
    return b as { kind: string; v: number } & Record<string, unknown>;
  }

  /** `decode` then `parse`: the one call a route handler makes on a request body. */
  decodeMessage(
    bytes: Uint8Array,
    opts: { route?: string } & DecodeOptions = {},
  ): { kind: string; v: number } & Record<string, unknown> {
    const { route, ...decodeOptions } = opts;
    return this.parse(decode(bytes, decodeOptions), route === undefined ? {} : { route });
  }

  /** Validates and encodes a message of a registered kind. */
  encodeMessage(message: { kind: string; v: number }): Uint8Array<ArrayBuffer> {
    this.parse(message);
    return encode(message);
  }
}
