import { type Certificate, type PrivateKey, sign, verifySignature } from "../../core/pki/mod.ts";
import { fromBase64Url, toBase64Url } from "../../core/protocol/base64.ts";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { LABELS } from "../../core/protocol/labels.ts";
import { tbs } from "../../core/protocol/tbs.ts";
import { decode, encodeCanonical, s } from "../../core/wire/mod.ts";

/** The payload P of a session token (`wire-and-auth.md` §4). Times in Unix seconds. */
export interface TokenClaims {
  typ: "site" | "admin";
  sub: string;
  org: string;
  role?: string;
  /** SHA-256 of the holder's certificate. */
  fp: Uint8Array;
  sid: Uint8Array;
  iat: number;
  exp: number;
  prj: string;
}

const CLAIMS = s.object({
  typ: s.literal("site", "admin"),
  sub: s.text({ maxBytes: 253 }),
  org: s.text({ maxBytes: 63 }),
  role: s.optional(s.text({ maxBytes: 63 })),
  fp: s.bytes({ length: 32 }),
  sid: s.bytes({ length: 16 }),
  iat: s.int({ min: 0 }),
  exp: s.int({ min: 0 }),
  prj: s.text({ maxBytes: 63 }),
});

/**
 * Issues and checks session tokens: `base64url(P) "." base64url(Sign(server key, TBS[label, P]))`
 * with P the deterministic CBOR of the claims. P enters TBS as a byte string, exactly as sent.
 */
export class SessionTokens {
  readonly #key: PrivateKey;
  readonly #cert: Certificate;

  constructor(key: PrivateKey, cert: Certificate) {
    this.#key = key;
    this.#cert = cert;
  }

  async issue(claims: TokenClaims): Promise<string> {
    const p = encodeCanonical(claims);
    const sig = await sign(this.#key, tbs(LABELS.token, p));
    return `${toBase64Url(p)}.${toBase64Url(sig)}`;
  }

  /**
   * Checks form and signature only; expiry, session and type are the caller's steps.
   * @throws {AuthenticationError} `malformed_token` or `bad_token_signature`
   */
  async verify(token: string): Promise<TokenClaims> {
    const parts = token.split(".");
    const p = parts.length === 2 ? fromBase64Url(parts[0]!) : undefined;
    const sig = parts.length === 2 ? fromBase64Url(parts[1]!) : undefined;
    if (!p || !sig || p.length === 0 || p.length > 2048) {
      throw new AuthenticationError("malformed_token", "Session token is malformed");
    }
    let claims: TokenClaims;
    try {
      claims = CLAIMS.validate(decode(p, { limits: { maxDepth: 2, maxItems: 64 } }), "$");
    } catch (cause) {
      throw new AuthenticationError("malformed_token", "Session token payload is malformed", {
        cause,
      });
    }
    if (!await verifySignature(this.#cert, tbs(LABELS.token, p), sig)) {
      throw new AuthenticationError("bad_token_signature", "Session token signature is invalid", {
        claimed: claims.sub,
      });
    }
    return claims;
  }
}
