// A client of the app built on this repository's client library (@xregion/web-pubsub-client, clients/js), driven by
// JsClientLibraryFailoverTest: prints what happens as JSON lines, each with its time (epoch ms), and takes
// "stop" on stdin.
//   node library-client.mjs '<json: {"negotiateUrls": [...], "userId": "...", "protocol": "json" | "reliable"}>'
import { XRegionClient } from "@xregion/web-pubsub-client";
import { createInterface } from "node:readline";

const settings = JSON.parse(process.argv[2]);
const report = (line) => process.stdout.write(JSON.stringify({ ...line, t: Date.now() }) + "\n");

const client = new XRegionClient(settings);
client.on("connected", (e) => report({ event: "connected", region: e.region, home: e.home, userId: e.userId }));
client.on("disconnected", (e) => report({ event: "disconnected", region: e.region, reason: e.reason }));
client.on("connect-failed", (e) => report({ event: "connect-failed", reason: e.reason, attempt: e.attempt,
  error: String(e.error?.message ?? e.error) }));
client.on("server-message", (e) => report({ event: "server-message", data: e.message.data }));
client.on("stopped", () => report({ event: "stopped" }));

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "stop") {
    client.stop();
    setTimeout(() => process.exit(0), 200);
  }
});

await client.start();
