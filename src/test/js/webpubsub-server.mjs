// The official server SDK (@azure/web-pubsub) driven by OfficialJsServerSdkTest. Each line on stdin is a command
//   {"id": 1, "hub": "chat", "group": "g" (optional), "op": "sendToAll", "args": [...]}
// that runs client[op](...args), or client.group(group)[op](...args), and is answered with one JSON line:
//   {"id": 1, "ok": true, "result": ..., "http": [{"method", "url", "status"}]}
//   {"id": 1, "ok": false, "error": {"statusCode", "code", "message"}, "http": [...]}
// "http" lists every request the SDK sent for the command, so a test sees which REST calls it made (none at all for
// a locally minted client token). In args, {"$bytes": "<base64>"} stands for binary content.
//   node webpubsub-server.mjs <connection string>
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { createInterface } from "node:readline";

const [connectionString] = process.argv.slice(2);
const report = (line) => process.stdout.write(JSON.stringify(line) + "\n");

let http = [];
const recorder = {
  name: "recordRequests",
  async sendRequest(request, next) {
    const response = await next(request);
    http.push({ method: request.method, url: request.url, status: response.status });
    return response;
  },
};

const clients = new Map();
function client(hub) {
  if (!clients.has(hub)) {
    clients.set(
      hub,
      new WebPubSubServiceClient(connectionString, hub, {
        // the emulator's endpoint is http://
        allowInsecureConnection: true,
        // perRetry: each attempt is recorded; no retries, so a refusal is answered at once
        additionalPolicies: [{ policy: recorder, position: "perRetry" }],
        retryOptions: { maxRetries: 0 },
      }),
    );
  }
  return clients.get(hub);
}

// JSON cannot carry bytes or undefined: {"$bytes"} becomes a Buffer, null an omitted argument
function decode(arg) {
  if (arg === null) return undefined;
  if (typeof arg === "object" && typeof arg.$bytes === "string") return Buffer.from(arg.$bytes, "base64");
  return arg;
}

async function run({ hub, group, op, args = [] }) {
  const target = group === undefined ? client(hub) : client(hub).group(group);
  // awaited first: listConnections of 1.2.0 returns a promise of its paged iterator, not the iterator it declares
  const result = await target[op](...args.map(decode));
  if (result && typeof result[Symbol.asyncIterator] === "function") {
    // a paged list: every item of every page
    const items = [];
    for await (const item of result) items.push(item);
    return items;
  }
  return result ?? null;
}

// one command at a time, in order, so that each answer's "http" is that command's alone
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(async () => {
    const command = JSON.parse(line);
    http = [];
    try {
      const result = await run(command);
      report({ id: command.id, ok: true, result, http });
    } catch (e) {
      report({ id: command.id, ok: false, error: { statusCode: e.statusCode ?? null, code: e.code ?? null,
        message: String(e.message ?? e) }, http });
    }
  });
});
report({ event: "ready" });
