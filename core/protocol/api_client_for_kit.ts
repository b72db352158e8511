import type { LoadedKit } from "../kit/mod.ts";
import { ApiClient } from "./api_client.ts";

/**
 * The API client of a site or admin kit: its connection security, the CA that verifies the server
 * (the kit's custom root in `tls` mode when it has one, else the project root) and, for mutual
 * TLS, its certificate and key. `target` overrides the kit's `host:port` (tests, the POC).
 */
export function apiClientForKit(kit: LoadedKit, target?: string): ApiClient {
  return new ApiClient({
    target: target ?? kit.target,
    security: kit.connectionSecurity,
    caPem: kit.connectionSecurity === "tls" && kit.customRootCaPem
      ? kit.customRootCaPem
      : kit.rootCaPem,
    certPem: kit.certificatePem,
    keyPem: kit.keyPem,
  });
}
