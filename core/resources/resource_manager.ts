/** A reservation request for one site: `resource_spec[<site>]` of the job. */
export type ResourceRequest = Record<string, unknown>;

/**
 * One kind of capacity at a site (`resources-and-cc.md` §3–5). `reserve` holds capacity or throws
 * a `ResourceError`; the other operations act on what `reserve` returned.
 */
export interface ResourceManager {
  /** Request keys this manager understands. */
  readonly keys: readonly string[];
  /** Seconds an unallocated reservation lives. */
  readonly expirationSeconds: number;
  reserve(request: ResourceRequest): unknown;
  /** Gives back a reservation or an allocation. */
  release(held: unknown): void;
}
