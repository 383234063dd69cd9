// A client of the app built on the official @azure/web-pubsub-client, driven by OfficialJsClientTest:
// it gets every URL from the app's negotiate endpoint (also on each reconnect), prints what happens as JSON lines
// and takes commands on stdin ("event <text>", "stop").
//   node client.mjs <app base URL> <userId> <json|reliable>
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { createInterface } from "node:readline";

const [base, userId, protocol] = process.argv.slice(2);
const report = (line) => process.stdout.write(JSON.stringify(line) + "\n");
let region;

const client = new WebPubSubClient(
  {
    getClientAccessUrl: async () => {
      const answer = await fetch(`${base}/negotiate?userId=${encodeURIComponent(userId)}`);
      if (!answer.ok) {
        report({ event: "negotiate-failed", status: answer.status });
        throw new Error(`negotiate answered ${answer.status}`);
      }
      const body = await answer.json();
      region = body.region;
      report({ event: "negotiated", region });
      return body.url;
    },
  },
  {
    protocol: protocol === "reliable" ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
    reconnectRetryOptions: { retryDelayInMs: 200, maxRetryDelayInMs: 500 },
  },
);

client.on("connected", (e) => report({ event: "connected", region, connectionId: e.connectionId, userId: e.userId }));
client.on("disconnected", (e) => report({ event: "disconnected", message: e.message?.message ?? null }));
client.on("server-message", (e) => report({ event: "server-message", data: e.message.data }));
client.on("group-message", (e) => report({ event: "group-message", group: e.message.group, data: e.message.data }));
client.on("stopped", () => report({ event: "stopped" }));

createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.startsWith("event ")) {
    try {
      await client.sendEvent("chat", line.substring(6), "text");
      report({ event: "event-acked" });
    } catch (e) {
      report({ event: "event-failed", error: String(e) });
    }
  } else if (line === "stop") {
    client.stop();
    setTimeout(() => process.exit(0), 200);
  }
});

await client.start();
