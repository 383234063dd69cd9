// The install benchmark's clients (io.xregion.bench.InstallBenchmark): N official @azure/web-pubsub-client clients
// per region (json.webpubsub.azure.v1) in this one process, each negotiating at its own region's app server.
//   node bench-clients.mjs '<json: {"apps": {"eastus": "http://...", "westus": "http://..."}, "clients": 1}>'
// Every message's data is "<publisher>:<sequence>:<sent at, epoch ms>". Each client keeps, per publisher, when it first
// received each sequence (epoch ms; 0: not yet) and how many copies it got beyond the first.
// Prints JSON lines: connected (each client), and on command "report" one "client" line per client with those arrays
// ({"received": {"<publisher>": [t0, t1, ...]}, "duplicates": n}), then "reported"; on "count" one "counts" line:
// per client, per publisher, how many sequences it has received; "stop" ends the process.
import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { createInterface } from "node:readline";

const settings = JSON.parse(process.argv[2]);
const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");

class BenchClient {
  constructor(index, home) {
    this.index = index;
    this.home = home;
    this.region = null;
    this.received = new Map();
    this.duplicates = 0;
    this.client = new WebPubSubClient({ getClientAccessUrl: () => this.negotiate() },
      { protocol: WebPubSubJsonProtocol() });
    this.client.on("connected", () => emit({ event: "connected", client: index, home, region: this.region }));
    this.client.on("server-message", (e) => this.receive(e.message.data));
  }

  async negotiate() {
    const answer = await fetch(`${settings.apps[this.home]}/negotiate?userId=bench-${this.home}-${this.index}`
      + `&home=${encodeURIComponent(this.home)}`, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`negotiate answered ${answer.status}`);
    const body = await answer.json();
    this.region = body.region;
    return body.url;
  }

  receive(data) {
    if (typeof data !== "string") return;
    const now = Date.now();
    const [publisher, sequence] = data.split(":");
    const n = Number.parseInt(sequence, 10);
    if (!Number.isInteger(n) || n < 0) return;
    let times = this.received.get(publisher);
    if (!times || times.length <= n) {
      const grown = new Float64Array(Math.max(1024, (n + 1) * 2));
      if (times) grown.set(times);
      times = grown;
      this.received.set(publisher, times);
    }
    if (times[n] === 0) times[n] = now; else this.duplicates++;
  }

  count() {
    const counts = {};
    for (const [publisher, times] of this.received) counts[publisher] = times.reduce((n, t) => n + (t > 0), 0);
    return counts;
  }

  report() {
    const received = {};
    for (const [publisher, times] of this.received) {
      let last = times.length;
      while (last > 0 && times[last - 1] === 0) last--;
      received[publisher] = Array.from(times.subarray(0, last));
    }
    return { event: "client", client: this.index, home: this.home, region: this.region, received,
      duplicates: this.duplicates };
  }
}

const clients = [];
for (const region of Object.keys(settings.apps)) {
  for (let i = 0; i < settings.clients; i++) clients.push(new BenchClient(clients.length, region));
}
for (const client of clients) {
  client.client.start().catch((e) => emit({ event: "start-failed", client: client.index, error: String(e) }));
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "report") {
    clients.forEach((c) => emit(c.report()));
    emit({ event: "reported" });
  } else if (line === "count") {
    emit({ event: "counts", counts: clients.map((c) => c.count()) });
  } else if (line === "stop") {
    clients.forEach((c) => c.client.stop());
    setTimeout(() => process.exit(0), 300);
  }
});
