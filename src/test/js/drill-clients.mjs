// The region-loss drill's clients (io.xregion.drill.RegionLossDrill): M clients per region in this one process, of
// one kind:
//   "library"  - this repository's @xregion/web-pubsub-client (clients/js) around the official client: it negotiates
//                through the global front itself (own region's /negotiate first, the other's when that fails, home
//                kept) and fails over fast off a lost or silent instance;
//   "official" - the official @azure/web-pubsub-client alone, with its own reconnect and recovery defaults, as a real
//                app has them. Each gets every URL from a callback that models the global front the same way.
//   node drill-clients.mjs '<json: {"apps": {"eastus": "http://...", "westus": "http://..."}, "clients": 50,
//                                   "protocol": "json" | "reliable", "client": "library" | "official"}>'
// Prints JSON lines: connected / disconnected (rare, each with its time; a disconnect says when that connection
// last received a message), and on command the report. Messages are
// counted here, not printed: every message's data is "<publisher>:<sequence>:<sent at, epoch ms>".
// Commands on stdin: "mark <name>" (remember each client's region and its first message published after now),
// "report" (one "client" line per client, one "delivered" line: when any client first received each message, then
// "reported"), "stop".
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { XRegionClient } from "@xregion/web-pubsub-client";
import { createInterface } from "node:readline";

const settings = JSON.parse(process.argv[2]);
const regions = Object.keys(settings.apps);
const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");
// per publisher, when any client first received each message (epoch ms; 0: no client yet): when it was delivered
const firstReceived = new Map();
const noteFirst = (publisher, sequence, now) => {
  let times = firstReceived.get(publisher);
  if (!times || times.length <= sequence) {
    const grown = new Float64Array(Math.max(1024, (sequence + 1) * 2));
    if (times) grown.set(times);
    times = grown;
    firstReceived.set(publisher, times);
  }
  if (times[sequence] === 0) times[sequence] = now;
};

// end-to-end latency (received - sent at, ms) of every receipt, by the phase in which its message was SENT: "start"
// before the first mark (fresh JVMs still compiling their hot paths), then the name of the latest mark before it
// ("steady", "lost", ...), so a backlog from the start received later still counts as the start's; and each client's
// latest receipt among messages sent after the start (its lateness, and which message)
// receipt (its lateness, and which message)
const phases = new Map();
const marks = [];
const phaseAt = (sentAt) => {
  let name = "start";
  for (const m of marks) if (m.t <= sentAt) name = m.name;
  return name;
};
// and, per second of receipt, how many receipts and how many of them over 250 ms and over 1 s, for the eye: printed to
// stderr (the run's clients.log) with the report
const bySecond = new Map();
const noteLatency = (ms, phase) => {
  const second = Math.floor(Date.now() / 1000);
  let tally = bySecond.get(second);
  if (!tally) {
    tally = { n: 0, over250: 0, over1s: 0, max: 0 };
    bySecond.set(second, tally);
  }
  tally.n++;
  if (ms > 250) tally.over250++;
  if (ms > 1000) tally.over1s++;
  tally.max = Math.max(tally.max, ms);
  let counts = phases.get(phase);
  if (!counts) {
    counts = new Map();
    phases.set(phase, counts);
  }
  const bucket = Math.max(0, Math.min(ms, 600000));
  counts.set(bucket, (counts.get(bucket) || 0) + 1);
};

// per publisher, a growing array of receive counts indexed by sequence number
class Counts {
  constructor() {
    this.byPublisher = new Map();
  }
  add(publisher, sequence) {
    let counts = this.byPublisher.get(publisher);
    if (!counts || counts.length <= sequence) {
      const grown = new Uint16Array(Math.max(1024, (sequence + 1) * 2));
      if (counts) grown.set(counts);
      counts = grown;
      this.byPublisher.set(publisher, counts);
    }
    counts[sequence]++;
  }
  // received sequences as [first, last] ranges, and the sequences received more than once with their counts
  summary() {
    const received = {};
    const duplicates = {};
    for (const [publisher, counts] of this.byPublisher) {
      const ranges = [];
      const twice = [];
      let start = -1;
      for (let i = 0; i <= counts.length; i++) {
        const seen = i < counts.length && counts[i] > 0;
        if (seen && start < 0) start = i;
        if (!seen && start >= 0) {
          ranges.push([start, i - 1]);
          start = -1;
        }
        if (seen && counts[i] > 1) twice.push([i, counts[i]]);
      }
      received[publisher] = ranges;
      duplicates[publisher] = twice;
    }
    return { received, duplicates };
  }
}

class DrillClient {
  constructor(index, home) {
    this.index = index;
    this.userId = `drill-${home}-${index}`;
    this.home = home;
    this.region = null;
    this.connected = false;
    this.counts = new Counts();
    this.marks = {};
    this.latest = { ms: 0, message: null, at: 0 };
    this.negotiations = { own: 0, other: 0, failed: 0 };
    // the last message of the current connection: a reliable connection whose instance died stays "connected"
    // (no event) while the official client tries to recover it for up to 30 s, receiving nothing
    this.lastReceive = null;
    if (settings.client === "official") {
      this.client = new WebPubSubClient(
        { getClientAccessUrl: () => this.negotiate() },
        {
          // the SDK's own reconnect and recovery defaults, as a real app has them
          protocol: settings.protocol === "reliable" ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
        },
      );
    } else {
      this.client = new XRegionClient({
        negotiateUrls: [this.home, ...regions.filter((r) => r !== this.home)]
          .map((r) => `${settings.apps[r]}/negotiate`),
        userId: this.userId,
        home: this.home,
        protocol: settings.protocol === "reliable" ? "reliable" : "json",
        // the application's own message id (publisher:sequence), as an application whose messages carry one gives
        // it: the library drops a second copy (a killed app server's broadcast that it had not marked done, sent
        // again from the other namespace's copy)
        messageId: (message) => (typeof message.data === "string" ? message.data.split(":", 2).join(":") : undefined),
      });
    }
    this.client.on("connected", (e) => {
      this.connected = true;
      this.lastReceive = null;
      if (e.region) this.region = e.region;
      if (e.home) this.home = e.home;
      emit({ event: "connected", client: this.index, home: this.home, region: this.region, t: Date.now() });
    });
    this.client.on("disconnected", () => {
      if (this.connected) {
        emit({ event: "disconnected", client: this.index, t: Date.now(), lastReceive: this.lastReceive });
      }
      this.connected = false;
    });
    this.client.on("server-message", (e) => this.received(e.message.data));
  }

  // the global front: own region's app server first, then the others; each answer's home is kept
  async negotiate() {
    const order = [this.home, ...regions.filter((r) => r !== this.home)];
    for (const [i, region] of order.entries()) {
      try {
        const answer = await fetch(`${settings.apps[region]}/negotiate?userId=${encodeURIComponent(this.userId)}`
          + `&home=${encodeURIComponent(this.home)}`, { signal: AbortSignal.timeout(2000) });
        if (!answer.ok) continue;
        const body = await answer.json();
        if (typeof body.home === "string" && body.home) this.home = body.home;
        this.region = body.region;
        if (i === 0) this.negotiations.own++; else this.negotiations.other++;
        return body.url;
      } catch (e) {
        // that region's app server does not answer: try the next, as a global front would
      }
    }
    this.negotiations.failed++;
    throw new Error("no app server answered negotiate");
  }

  received(data) {
    if (typeof data !== "string") return;
    const [publisher, sequence, sentAt] = data.split(":");
    if (sentAt === undefined) return;
    const now = Date.now();
    // "receives again": the first message published after the mark (one already on its way does not count)
    // and the longest silence since the mark (a survivor's pause, e.g. while its app server holds for Redis)
    for (const mark of Object.values(this.marks)) {
      if (mark.firstReceive === null && Number(sentAt) > mark.t) mark.firstReceive = now;
      mark.longestGap = Math.max(mark.longestGap, now - mark.lastReceive);
      mark.lastReceive = now;
    }
    this.lastReceive = now;
    const lateness = now - Number(sentAt);
    const phase = phaseAt(Number(sentAt));
    noteLatency(lateness, phase);
    if (phase !== "start" && lateness > this.latest.ms) {
      this.latest = { ms: lateness, message: `${publisher}:${sequence}`, at: now };
    }
    this.counts.add(publisher, Number.parseInt(sequence, 10));
    noteFirst(publisher, Number.parseInt(sequence, 10), now);
  }

  mark(name) {
    const t = Date.now();
    this.marks[name] = { t, region: this.region, connected: this.connected, firstReceive: null, lastReceive: t,
      longestGap: 0 };
  }

  report() {
    const { received, duplicates } = this.counts.summary();
    return {
      event: "client", client: this.index, userId: this.userId, home: this.home, region: this.region,
      connected: this.connected, negotiations: this.negotiations, marks: this.marks, latest: this.latest, received,
      duplicates,
    };
  }
}

const clients = [];
for (const region of regions) {
  for (let i = 0; i < settings.clients; i++) clients.push(new DrillClient(clients.length, region));
}
for (const client of clients) {
  client.client.start().catch((e) => emit({ event: "start-failed", client: client.index, error: String(e) }));
}
emit({ event: "started", clients: clients.length });

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.startsWith("mark ")) {
    marks.push({ name: line.substring(5), t: Date.now() });
    process.stderr.write(`mark ${line.substring(5)} at ${new Date().toISOString().substring(11, 19)}\n`);
    clients.forEach((c) => c.mark(line.substring(5)));
    emit({ event: "marked", name: line.substring(5) });
  } else if (line === "report") {
    clients.forEach((c) => emit(c.report()));
    const delivered = {};
    for (const [publisher, times] of firstReceived) delivered[publisher] = Array.from(times);
    emit({ event: "delivered", firstReceived: delivered });
    const latency = {};
    for (const [name, counts] of phases) latency[name] = Array.from(counts.entries()).sort((a, b) => a[0] - b[0]);
    emit({ event: "latency", phases: latency });
    for (const [second, t] of [...bySecond.entries()].sort((a, b) => a[0] - b[0])) {
      process.stderr.write(`e2e ${new Date(second * 1000).toISOString().substring(11, 19)} receipts ${t.n} `
        + `over 250 ms ${t.over250} over 1 s ${t.over1s} max ${t.max} ms\n`);
    }
    emit({ event: "reported" });
  } else if (line === "stop") {
    clients.forEach((c) => c.client.stop());
    setTimeout(() => process.exit(0), 300);
  }
});
