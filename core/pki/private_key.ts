import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { encodePem } from "./pem.ts";

/** Algorithm family of a loaded key. */
export type KeyAlgorithm = "ec-p256" | "rsa";

/**
 * A participant or root private key (EC P-256, or RSA of at least 2048 bits), held as PKCS#8.
 * `signingKey()` gives the WebCrypto key for Stockade signatures (ECDSA / RSA-PSS),
 * `certifyingKey()` the one for X.509 certificates (ECDSA / RSASSA-PKCS1-v1_5).
 */
export class PrivateKey {
  /** Key family. */
  readonly algorithm: KeyAlgorithm;
  /** RSA modulus length in bits, or 256 for P-256. */
  readonly bits: number;
  /** Unencrypted PKCS#8 DER. */
  readonly pkcs8: Uint8Array<ArrayBuffer>;
  #signing?: Promise<CryptoKey>;
  #certifying?: Promise<CryptoKey>;

  private constructor(algorithm: KeyAlgorithm, bits: number, pkcs8: Uint8Array<ArrayBuffer>) {
    this.algorithm = algorithm;
    this.bits = bits;
    this.pkcs8 = pkcs8;
  }

  /**
   * Loads a PEM key: PKCS#8, or PKCS#1 for RSA. Throws `TypeError` for anything else
   * (encrypted keys, other curves, RSA under 2048 bits).
   */
  static fromPem(pem: string): PrivateKey {
    if (pem.includes("ENCRYPTED")) {
      throw new TypeError("Private key is encrypted; decrypt it with decryptPrivateKey() first");
    }
    let ko: KeyObject;
    try {
      ko = createPrivateKey({ key: pem, format: "pem" });
    } catch (cause) {
      throw new TypeError("Cannot read private key: not a PKCS#8 or PKCS#1 PEM key", { cause });
    }
    return PrivateKey.#fromKeyObject(ko);
  }

  /** Loads unencrypted PKCS#8 DER. */
  static fromPkcs8(der: Uint8Array): PrivateKey {
    let ko: KeyObject;
    try {
      ko = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
    } catch (cause) {
      throw new TypeError("Cannot read private key: not PKCS#8 DER", { cause });
    }
    return PrivateKey.#fromKeyObject(ko);
  }

  /** Wraps an extractable WebCrypto private key. */
  static async fromCryptoKey(key: CryptoKey): Promise<PrivateKey> {
    return PrivateKey.fromPkcs8(new Uint8Array(await crypto.subtle.exportKey("pkcs8", key)));
  }

  static #fromKeyObject(ko: KeyObject): PrivateKey {
    const details = ko.asymmetricKeyDetails ?? {};
    let algorithm: KeyAlgorithm;
    let bits: number;
    if (ko.asymmetricKeyType === "ec" && details.namedCurve === "prime256v1") {
      algorithm = "ec-p256";
      bits = 256;
    } else if (ko.asymmetricKeyType === "rsa" && (details.modulusLength ?? 0) >= 2048) {
      algorithm = "rsa";
      bits = details.modulusLength ?? 0;
    } else {
      throw new TypeError(
        `Unsupported private key "${ko.asymmetricKeyType}${
          details.namedCurve ? ` ${details.namedCurve}` : ""
        }${
          details.modulusLength ? ` ${details.modulusLength}` : ""
        }": use EC P-256 or RSA of 2048 bits or more`,
      );
    }
    const der = ko.export({ format: "der", type: "pkcs8" });
    return new PrivateKey(algorithm, bits, new Uint8Array(der));
  }

  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  toPem(): string {
    return encodePem("PRIVATE KEY", this.pkcs8);
  }

  /** DER SubjectPublicKeyInfo of the matching public key. */
  publicKeySpki(): Uint8Array<ArrayBuffer> {
    const ko = createPrivateKey({ key: Buffer.from(this.pkcs8), format: "der", type: "pkcs8" });
    return new Uint8Array(createPublicKey(ko).export({ format: "der", type: "spki" }));
  }

  /** WebCrypto key for `sign()`: ECDSA P-256 or RSA-PSS with SHA-256. */
  signingKey(): Promise<CryptoKey> {
    this.#signing ??= crypto.subtle.importKey(
      "pkcs8",
      this.pkcs8,
      this.algorithm === "rsa"
        ? { name: "RSA-PSS", hash: "SHA-256" }
        : { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    return this.#signing;
  }

  /** WebCrypto key for signing certificates: ECDSA P-256 or RSASSA-PKCS1-v1_5 with SHA-256. */
  certifyingKey(): Promise<CryptoKey> {
    this.#certifying ??= crypto.subtle.importKey(
      "pkcs8",
      this.pkcs8,
      this.algorithm === "rsa"
        ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
        : { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    return this.#certifying;
  }
}
