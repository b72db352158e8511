/** Fills an array with uniformly random 32-bit words; the default is `crypto.getRandomValues`. */
export type RandomWords = (words: Uint32Array<ArrayBuffer>) => void;

/**
 * Where randomized filters get their noise (`privacy-and-filters.md` §7). Tests inject their own
 * (e.g. one that returns 0) to check the deterministic steps.
 */
export interface NoiseSource {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Laplace with scale `b`, centred on 0. */
  laplace(b: number): number;
  /** Standard normal N(0, 1). */
  gaussian(): number;
}

const TWO_32 = 2 ** 32;
const TWO_52 = 2 ** 52;
const TWO_53 = 2 ** 53;
// crypto.getRandomValues takes at most 65536 bytes per call.
const BATCH = 16384;

const cryptoWords: RandomWords = (words) => {
  crypto.getRandomValues(words);
};

/**
 * The spec's constructions on top of a CSPRNG: u = k/2^53 with k a 53-bit integer; Laplace from a
 * 52-bit k as u = (k + 0.5)/2^52 − 0.5, x = −b·sign(u)·ln(1 − 2|u|); Box–Muller with
 * u1 = (k1 + 1)/2^53, u2 = k2/2^53, returning z0 then z1. An integer is built from two words: the
 * top 21 (or 20) bits of the first word, then the whole second word.
 */
export class RandomSource implements NoiseSource {
  #fill: RandomWords;
  #words = new Uint32Array(BATCH);
  #pos = BATCH;
  #spare: number | undefined;

  constructor(fill: RandomWords = cryptoWords) {
    this.#fill = fill;
  }

  #word(): number {
    if (this.#pos === BATCH) {
      this.#fill(this.#words);
      this.#pos = 0;
    }
    return this.#words[this.#pos++]!;
  }

  /** A uniform 53-bit integer. */
  uint53(): number {
    const hi = this.#word() >>> 11;
    return hi * TWO_32 + this.#word();
  }

  /** A uniform 52-bit integer. */
  uint52(): number {
    const hi = this.#word() >>> 12;
    return hi * TWO_32 + this.#word();
  }

  uniform(): number {
    return this.uint53() / TWO_53;
  }

  laplace(b: number): number {
    const u = (this.uint52() + 0.5) / TWO_52 - 0.5;
    return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }

  gaussian(): number {
    const spare = this.#spare;
    if (spare !== undefined) {
      this.#spare = undefined;
      return spare;
    }
    const u1 = (this.uint53() + 1) / TWO_53;
    const u2 = this.uint53() / TWO_53;
    const r = Math.sqrt(-2 * Math.log(u1));
    this.#spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}
