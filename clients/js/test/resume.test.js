// Continuity: a client with `resume` against fake instances and a fake app server whose /resume answers from a
// history of envelopes, as xregion's does. A client that was away gets what it missed before anything live, each
// message once; a position the history cannot answer for is a `gap`; messages without an envelope pass unchanged.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { XRegionClient } from "../src/index.js";
import { comparePositions, envelopeOf } from "../src/resumer.js";
import { FakeInstance, FakeNegotiate, record, until } from "./fakes.js";

let eastus;
let westus;
let serving;
let app;
let next;
const clients = [];

beforeEach(async () => {
  eastus = await FakeInstance.start("eastus");
  westus = await FakeInstance.start("westus");
  serving = eastus;
  app = await FakeNegotiate.start("eastus", () => serving);
  next = 0;
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.stop());
  await app.close();
  await eastus.close();
  await westus.close();
});

function client(options = {}) {
  const c = new XRegionClient({ negotiateUrls: [app.url], userId: "alice", resume: true, ...options });
  clients.push(c);
  return c;
}

/** A broadcast as xregion makes it: into the history, then (unless `missed`) to the instance's connections. */
function publish(text, { to = serving, missed = false } = {}) {
  const envelope = { id: `id-${text}`, stream: "all", position: `1000-${++next}`, dataType: "text", data: text };
  app.history.push(envelope);
  if (!missed) to.broadcastJson(envelope);
  return envelope;
}

const texts = (events) => events.filter((e) => e.event === "server-message").map((e) => e.message.data);

for (const protocol of ["json", "reliable"]) {
  test(`${protocol}: a client that lost its instance gets what it missed, once, before live messages`, async () => {
    const c = client({ protocol });
    const events = record(c);
    await c.start();
    assert.equal(app.requests[0].envelope, "v1", "negotiate asks for envelopes");
    await until("the first resume (where the stream stands)", () => app.resumes.length === 1);
    assert.equal(app.resumes[0].after, null);
    publish("m1");
    publish("m2");
    await until("m1 and m2", () => texts(events).length === 2);
    const m2 = events.filter((e) => e.event === "server-message")[1].message;
    assert.equal(m2.id, "id-m2");
    assert.equal(m2.stream, "all");
    assert.equal(m2.position, "1000-2");
    assert.equal(m2.dataType, "text");

    // the region is lost; what is broadcast meanwhile reaches only the history
    serving = westus;
    await eastus.down();
    publish("m3", { missed: true });
    publish("m4", { missed: true });
    await until("a connection on westus", () => events.some((e) => e.event === "connected" && e.region === "westus"),
      8000);
    publish("m5", { to: westus });
    // m5 may come live before the resume answers, or in the resume and live: either way once, after m3 and m4
    await until("m5", () => texts(events).includes("m5"));
    assert.deepEqual(texts(events), ["m1", "m2", "m3", "m4", "m5"]);
    const resumed = app.resumes.at(-1);
    assert.equal(resumed.stream, "all");
    assert.ok(comparePositions(resumed.after, "1000-2") <= 0, `resumed after ${resumed.after}`);
    assert.equal(events.filter((e) => e.event === "gap").length, 0);
  });
}

test("a message whose id was delivered already is dropped", async () => {
  const c = client();
  const events = record(c);
  await c.start();
  const once = publish("once");
  eastus.broadcastJson(once);
  publish("after");
  await until("after", () => texts(events).includes("after"));
  assert.deepEqual(texts(events), ["once", "after"]);
});

test("a position the history no longer holds is a gap, and live messages go on", async () => {
  const c = client();
  const events = record(c);
  await c.start();
  await until("the first resume", () => app.resumes.length === 1);
  publish("m1");
  await until("m1", () => texts(events).includes("m1"));
  app.oldest = 5; // everything before position 5 has left the window
  eastus.drop();
  publish("lost", { missed: true });
  await until("a gap", () => events.some((e) => e.event === "gap"));
  const gap = events.find((e) => e.event === "gap");
  assert.equal(gap.stream, "all");
  assert.equal(gap.reason, "outside the history");
  assert.equal(gap.position, "1000-2");
  await until("a new connection", () => events.filter((e) => e.event === "connected").length === 2);
  publish("m3");
  await until("m3", () => texts(events).includes("m3"));
  assert.deepEqual(texts(events), ["m1", "m3"]);
});

test("a resume no app server answers is a gap, not silence", async () => {
  const c = client();
  const events = record(c);
  await c.start();
  await until("the first resume", () => app.resumes.length === 1);
  publish("m1");
  await until("m1", () => texts(events).includes("m1"));
  app.resumeFailWith = 503;
  eastus.drop();
  await until("a gap", () => events.some((e) => e.event === "gap"));
  assert.equal(events.find((e) => e.event === "gap").reason, "resume failed");
});

test("messages without an envelope pass unchanged", async () => {
  const c = client();
  const events = record(c);
  await c.start();
  await until("the first resume", () => app.resumes.length === 1);
  eastus.broadcast("plain");
  eastus.broadcastJson({ id: 7, note: "not an envelope" });
  await until("both", () => events.filter((e) => e.event === "server-message").length === 2);
  const [plain, json] = events.filter((e) => e.event === "server-message").map((e) => e.message);
  assert.equal(plain.data, "plain");
  assert.deepEqual(json.data, { id: 7, note: "not an envelope" });
  assert.equal(envelopeOf(json), undefined);
});

test("positions order as pairs of numbers", () => {
  assert.equal(comparePositions("1000-2", "1000-10"), -1);
  assert.equal(comparePositions("999-5", "1000-0"), -1);
  assert.equal(comparePositions("1000-0", "1000-0"), 0);
  assert.equal(comparePositions(undefined, "0-0"), -1);
});
