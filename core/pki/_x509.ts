// @peculiar/x509 needs reflect-metadata loaded first and a WebCrypto provider.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto);

export { x509 };
