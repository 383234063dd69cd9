// A client of the app on this repository's client library with continuity on (resume: true), driven by
// ContinuityLibraryTest: prints each message's id and data, each gap, and the connection events as JSON lines with
// their time (epoch ms); takes "stop" on stdin.
//   node resume-client.mjs '<json: XRegionClient options, e.g. {"negotiateUrls": [...], "userId": "...", "resume": true}>'
import { XRegionClient } from "@xregion/web-pubsub-client";
import { createInterface } from "node:readline";

const settings = JSON.parse(process.argv[2]);
const report = (line) => process.stdout.write(JSON.stringify({ ...line, t: Date.now() }) + "\n");

const client = new XRegionClient(settings);
client.on("connected", (e) => report({ event: "connected", region: e.region, home: e.home }));
client.on("disconnected", (e) => report({ event: "disconnected", region: e.region, reason: e.reason }));
client.on("server-message", (e) => report({ event: "server-message", id: e.message.id, data: e.message.data,
  position: e.message.position }));
client.on("gap", (e) => report({ event: "gap", stream: e.stream, reason: e.reason }));

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "stop") {
    client.stop();
    setTimeout(() => process.exit(0), 200);
  }
});

await client.start();
