// Child process for the churn test: opens an mTLS connection with a site kit and streams an
// upload that never ends, printing "uploading" once bytes flow, until the parent kills it.
const [kitDir, target] = Deno.args as [string, string];
const read = (f: string) => Deno.readTextFileSync(`${kitDir}/startup/${f}`);
const client = Deno.createHttpClient({
  caCerts: [read("rootCA.pem")],
  cert: read("client.crt"),
  key: read("client.key"),
});
let sent = 0;
const body = new ReadableStream<Uint8Array>({
  async pull(controller) {
    await new Promise((r) => setTimeout(r, 5));
    controller.enqueue(new Uint8Array(64 * 1024));
    sent++;
    if (sent === 4) console.log("uploading");
    if (sent > 2000) controller.close(); // bounded even if nobody kills us
  },
});
try {
  await fetch(`https://${target}/v1/register/challenge`, {
    method: "POST",
    body,
    client,
    headers: { "content-type": "application/cbor" },
  });
} catch {
  // The server may refuse the oversized body; the parent only cares that we were mid-upload.
}
