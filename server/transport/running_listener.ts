/** A listening transport of the server. */
export interface RunningListener {
  hostname: string;
  port: number;
  /** The loopback backend behind the mTLS terminator (tests dial it to prove it refuses). */
  backendPort?: number;
  /** TLS-layer refusals seen so far. */
  refusals(): number;
  close(): Promise<void>;
}

/** What every transport needs to know. */
export interface ListenerOptions {
  hostname: string;
  port: number;
  serves: "all" | "site" | "admin";
  certPem: string;
  keyPem: string;
  rootPem: string;
}
