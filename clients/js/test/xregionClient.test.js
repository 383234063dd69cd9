// The library against two fake instances and a fake app server's negotiate: what a client does when its instance
// is lost (down or silent), when its connection drops on a living instance, and on its way to a connection.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { XRegionClient } from "../src/index.js";
import { FakeInstance, FakeNegotiate, record, until } from "./fakes.js";

let eastus;
let westus;
let serving;
let app;
const clients = [];

beforeEach(async () => {
  eastus = await FakeInstance.start("eastus");
  westus = await FakeInstance.start("westus");
  serving = eastus;
  app = await FakeNegotiate.start("eastus", () => serving);
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.stop());
  await app.close();
  await eastus.close();
  await westus.close();
});

function client(options = {}) {
  const c = new XRegionClient({ negotiateUrls: [app.url], userId: "alice", ...options });
  clients.push(c);
  return c;
}

const connectedTo = (events, region) => events.some((e) => e.event === "connected" && e.region === region);
const received = (events, data) => events.some((e) => e.event === "server-message" && e.message.data === data);

/** Broadcasts on the instance until the client has the message (a connection can open between two tries). */
async function receives(events, instance, data) {
  await until(`the client to receive ${data}`, () => {
    instance.broadcast(data);
    return received(events, data);
  });
}

for (const protocol of ["json", "reliable"]) {
  test(`${protocol}: a lost instance (down) is left for the one negotiate names next`, async () => {
    const c = client({ protocol });
    const events = record(c);
    await c.start();
    assert.equal(c.region, "eastus");
    assert.equal(c.home, "eastus");
    await receives(events, eastus, "before");

    serving = westus;
    await eastus.down();
    await until("a connection on westus", () => connectedTo(events, "westus"));
    await receives(events, westus, "after");
    assert.equal(c.region, "westus");

    const lost = events.find((e) => e.event === "disconnected");
    assert.equal(lost.region, "eastus");
    // a reliable connection asks negotiate at once: it names westus, so the recovery is not waited for
    assert.equal(lost.reason, protocol === "reliable" ? "negotiate names another instance" : "connection closed");
    assert.equal(app.requests.at(-1).home, "eastus", "the home of the first answer is sent on");
  });

  test(`${protocol}: a silent instance (partition) is noticed by the keep-alive and left`, async () => {
    const c = client({ protocol });
    const events = record(c);
    await c.start();
    await receives(events, eastus, "before");

    serving = westus;
    eastus.partition();
    await until("a connection on westus", () => connectedTo(events, "westus"), 8000);
    await receives(events, westus, "after");
  });
}

for (const protocol of ["json", "reliable"]) {
  test(`${protocol}: an instance lost before the app server knows it is named as avoid, and negotiate goes elsewhere`,
    async () => {
      // this app server still believes in eastus: only the client's hint takes it to westus
      serving = null;
      await app.close();
      app = await FakeNegotiate.start("eastus", (avoid) => (avoid === "eastus" ? westus : eastus));
      const c = client({ protocol });
      const events = record(c);
      await c.start();
      await receives(events, eastus, "before");
      assert.equal(app.requests[0].avoid, null, "nothing to avoid at first");

      eastus.partition();
      await until("a connection on westus", () => connectedTo(events, "westus"), 8000);
      await receives(events, westus, "after");
      assert.ok(app.requests.some((r) => r.avoid === "eastus"), "the lost instance was named");
    });
}

test("a goodbye from the instance (a failback close) is no reason to avoid it", async () => {
  const c = client({ protocol: "json" });
  const events = record(c);
  await c.start();
  await receives(events, eastus, "before");
  const asked = app.requests.length;

  eastus.closeAll();
  await until("connected again", () => events.filter((e) => e.event === "connected").length === 2);
  assert.equal(c.region, "eastus");
  assert.deepEqual(app.requests.slice(asked).map((r) => r.avoid), app.requests.slice(asked).map(() => null));
});

test("avoidMs 0: a lost instance is never named", async () => {
  const c = client({ protocol: "json", avoidMs: 0 });
  const events = record(c);
  await c.start();
  await receives(events, eastus, "before");
  serving = westus;
  await eastus.down();
  await until("a connection on westus", () => connectedTo(events, "westus"));
  assert.ok(app.requests.every((r) => r.avoid === null));
});

test("reliable: a drop on a living instance is recovered on the same connection, nothing missed", async () => {
  const c = client({ protocol: "reliable", recoveryBudgetMs: 3000 });
  const events = record(c);
  await c.start();
  await receives(events, eastus, "before");

  eastus.drop();
  await until("a recovery attempt", () => eastus.attempts.some((a) => a.recovery));
  await until("the recovered connection", () => eastus.openConnections === 1);
  eastus.broadcast("after the drop");
  await until("the message after the drop", () => received(events, "after the drop"));

  assert.deepEqual(events.filter((e) => e.event !== "server-message").map((e) => e.event), ["connected"]);
  assert.deepEqual(eastus.attempts.map((a) => a.recovery), [false, true], "one connection, recovered once");
});

test("reliable: a lost instance negotiate still names is given the recovery budget, then left", async () => {
  const c = client({ protocol: "reliable", recoveryBudgetMs: 300 });
  const events = record(c);
  await c.start();
  await eastus.down(); // the app server has not noticed: negotiate names eastus still
  await until("the end of the recovery", () => events.some((e) => e.event === "disconnected"));
  assert.equal(events.find((e) => e.event === "disconnected").reason, "recovery budget spent");
  serving = westus;
  await until("a connection on westus", () => connectedTo(events, "westus"));
});

test("reliable: a lost instance the app server knows is left at once, whatever the recovery budget", async () => {
  const c = client({ protocol: "reliable", recoveryBudgetMs: 60000 });
  const events = record(c);
  await c.start();
  serving = westus;
  await eastus.down();
  await until("a connection on westus", () => connectedTo(events, "westus"));
  assert.equal(events.find((e) => e.event === "disconnected").reason, "negotiate names another instance");
});

test("reliable: a refused recovery (1008) negotiates again at once, whatever the budget", async () => {
  const c = client({ protocol: "reliable", recoveryBudgetMs: 60000 });
  const events = record(c);
  await c.start();
  // the instance forgets the connection while keeping its port: the recovery attempt is refused with 1008
  await eastus.down();
  await eastus.up();
  await until("a second connection", () => events.filter((e) => e.event === "connected").length === 2);
  assert.equal(events.find((e) => e.event === "disconnected").reason, "connection closed");
});

test("a handshake that hangs is left as soon as negotiate names another instance", async () => {
  eastus.partition();
  const c = client({ connectTimeoutMs: 60000 });
  const events = record(c);
  const started = c.start();
  await until("the first negotiate", () => app.requests.length === 1);
  serving = westus;
  await started;
  assert.equal(c.region, "westus");
  assert.equal(events.find((e) => e.event === "connect-failed").reason, "negotiate names another instance");
});

test("a handshake that hangs counts as a failed connect within connectTimeoutMs, and the next one is tried", async () => {
  eastus.partition();
  serving = eastus;
  const c = client({ connectTimeoutMs: 300 });
  const events = record(c);
  const started = c.start();
  await until("a failed connect", () => events.some((e) => e.event === "connect-failed"));
  serving = westus;
  await started;
  assert.equal(c.region, "westus");
  const failed = events.find((e) => e.event === "connect-failed");
  assert.equal(failed.reason, "could not connect");
  assert.equal(failed.attempt, 1);
});

test("no app server answering: start() keeps trying with growing delays, and resolves once one answers", async () => {
  app.failWith = 503;
  const c = client({ retryDelayMs: 20, maxRetryDelayMs: 80 });
  const events = record(c);
  const started = c.start();
  await until("three failed connects", () => events.filter((e) => e.event === "connect-failed").length >= 3);
  app.failWith = 0;
  await started;
  const failures = events.filter((e) => e.event === "connect-failed");
  assert.deepEqual(failures.slice(0, 3).map((f) => f.attempt), [1, 2, 3]);
  assert.ok(failures.every((f) => f.retryInMs <= 80), JSON.stringify(failures.map((f) => f.retryInMs)));
  assert.equal(failures[0].error.name, "NegotiateError");
});

test("groups joined through the client are joined again on the next connection", async () => {
  const c = client();
  const events = record(c);
  await c.start();
  await c.joinGroup("news");
  serving = westus;
  await eastus.down();
  await until("a connection on westus", () => connectedTo(events, "westus"));
  assert.deepEqual(westus.joins.map((j) => j.group), ["news"]);
  await until("the group message", () => {
    westus.sendToGroup("news", "on westus");
    return events.some((e) => e.event === "group-message" && e.message.data === "on westus");
  });
});

test("messages whose id was delivered already are dropped, others delivered", async () => {
  const c = client({ messageId: (m) => m.data.split(":")[0] });
  const events = record(c);
  await c.start();
  await receives(events, eastus, "1:first");
  eastus.broadcast("1:again");
  eastus.broadcast("2:second");
  await until("the second message", () => received(events, "2:second"));
  assert.deepEqual(events.filter((e) => e.event === "server-message").map((e) => e.message.data),
    ["1:first", "2:second"]);
  assert.ok(!received(events, "1:again"));
});

test("stop() during a recovery: no connection is attempted any more, and start() of a stopped client rejects", async () => {
  const c = client({ protocol: "reliable", recoveryBudgetMs: 60000 });
  const events = record(c);
  await c.start();
  eastus.reject();
  await until("a recovery attempt", () => eastus.attempts.some((a) => a.recovery));
  c.stop();
  const attempts = eastus.attempts.length;
  assert.deepEqual(events.map((e) => e.event).filter((e) => e !== "server-message"), ["connected", "stopped"]);
  // the official client's recovery loop tries again once a second: give it the time for two more
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(eastus.attempts.length, attempts, "an abandoned client touches the network no more");

  const never = client({ negotiateUrls: ["http://127.0.0.1:9/negotiate"] });
  const starting = never.start();
  never.stop();
  await assert.rejects(starting, /stopped before it connected/);
});

test("options are checked, each named", () => {
  assert.throws(() => client({ protocol: "mqtt" }), /protocol/);
  assert.throws(() => client({ keepAliveTimeoutInMs: 500 }), /keepAliveTimeoutInMs must be at least twice/);
  assert.throws(() => client({ recoveryBudgetMs: -1 }), /recoveryBudgetMs/);
  assert.throws(() => client({ connectTimeoutMs: 0 }), /connectTimeoutMs/);
  assert.throws(() => client({ negotiateUrls: [] }), /negotiateUrls/);
  assert.throws(() => client({ messageId: "id" }), /messageId/);
  assert.throws(() => client({ dedupWindow: 0 }), /dedupWindow/);
  assert.throws(() => client().on("message", () => {}), /unknown event message/);
});
