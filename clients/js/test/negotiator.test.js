import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import http from "node:http";
import { FrontNegotiator, NegotiateError } from "../src/index.js";
import { FakeInstance, FakeNegotiate } from "./fakes.js";

let eastus;
let westus;
let eastusApp;
let westusApp;

before(async () => {
  eastus = await FakeInstance.start("eastus");
  westus = await FakeInstance.start("westus");
});

after(async () => {
  await eastus.close();
  await westus.close();
});

async function apps() {
  eastusApp = await FakeNegotiate.start("eastus", () => eastus);
  westusApp = await FakeNegotiate.start("westus", () => westus);
  return [eastusApp, westusApp];
}

async function closeApps() {
  await eastusApp.close();
  await westusApp.close();
}

test("asks its own region first, keeps the first answer's home and sends it from then on", async () => {
  await apps();
  try {
    const negotiator = new FrontNegotiator({ urls: [eastusApp.url, westusApp.url], userId: "alice" });
    assert.equal(negotiator.home, undefined);
    const first = await negotiator.negotiate();
    assert.equal(first.region, "eastus");
    assert.equal(first.via, 0);
    assert.equal(negotiator.home, "eastus");
    assert.deepEqual(eastusApp.requests[0], { userId: "alice", home: null, avoid: null, authorization: undefined });
    assert.equal(westusApp.requests.length, 0, "the other region is not asked while the own one answers");

    await negotiator.negotiate();
    assert.equal(eastusApp.requests[1].home, "eastus");
  } finally {
    await closeApps();
  }
});

test("the other region answers when the own one refuses, and the home stays the one first given", async () => {
  await apps();
  try {
    eastusApp.failWith = 503;
    const negotiator = new FrontNegotiator({ urls: [eastusApp.url, westusApp.url], userId: "bob", home: "eastus",
      headers: async () => ({ Authorization: "Bearer t" }) });
    const answer = await negotiator.negotiate();
    assert.equal(answer.region, "westus");
    assert.equal(answer.via, 1);
    assert.equal(answer.home, "eastus");
    assert.equal(westusApp.requests[0].home, "eastus");
    assert.equal(westusApp.requests[0].authorization, "Bearer t");
  } finally {
    await closeApps();
  }
});

test("an own region that does not answer is hedged: the other is asked after the hedge delay", async () => {
  await apps();
  try {
    eastusApp.hang = true;
    const negotiator = new FrontNegotiator({ urls: [eastusApp.url, westusApp.url], hedgeMs: 100, timeoutMs: 10000 });
    const answer = await negotiator.negotiate();
    assert.equal(answer.region, "westus");
    assert.equal(eastusApp.requests.length, 1);
  } finally {
    await closeApps();
  }
});

test("a negotiate given a longer hedge waits for a slow own region instead of asking the other", async () => {
  await apps();
  try {
    eastusApp.delayMs = 400;
    const negotiator = new FrontNegotiator({ urls: [eastusApp.url, westusApp.url], hedgeMs: 50, timeoutMs: 10000 });
    const answer = await negotiator.negotiate(undefined, undefined, { hedgeMs: 10000 });
    assert.equal(answer.region, "eastus");
    assert.equal(westusApp.requests.length, 0, "the other region was not asked");
    eastusApp.delayMs = 400;
    assert.equal((await negotiator.negotiate()).region, "westus", "without it, the usual hedge");
  } finally {
    await closeApps();
  }
});

test("a region whose app server is gone (connection refused) costs nothing", async () => {
  await apps();
  const gone = http.createServer();
  await new Promise((resolve) => gone.listen(0, "127.0.0.1", resolve));
  const goneUrl = `http://127.0.0.1:${gone.address().port}/negotiate`;
  await new Promise((resolve) => gone.close(resolve));
  try {
    const negotiator = new FrontNegotiator({ urls: [goneUrl, westusApp.url], hedgeMs: 10000 });
    assert.equal((await negotiator.negotiate()).region, "westus");
  } finally {
    await closeApps();
  }
});

test("no region answering is a NegotiateError naming each one's failure, never a token", async () => {
  await apps();
  try {
    eastusApp.failWith = 503;
    westusApp.hang = true;
    const negotiator = new FrontNegotiator({ urls: [eastusApp.url, `${westusApp.url}?code=secret`],
      timeoutMs: 200, hedgeMs: 50 });
    const error = await negotiator.negotiate().then(() => null, (e) => e);
    assert.ok(error instanceof NegotiateError, String(error));
    assert.deepEqual(error.failures.map((f) => f.status ?? f.error), [503, "no answer in time"]);
    assert.ok(!error.message.includes("secret"), error.message);
  } finally {
    await closeApps();
  }
});

test("an answer without a url is a failure, and the next region is asked", async () => {
  await apps();
  const broken = http.createServer((req, res) => res.writeHead(200).end(JSON.stringify({ region: "eastus" })));
  await new Promise((resolve) => broken.listen(0, "127.0.0.1", resolve));
  try {
    const negotiator = new FrontNegotiator({ urls: [`http://127.0.0.1:${broken.address().port}/negotiate`,
      westusApp.url] });
    assert.equal((await negotiator.negotiate()).region, "westus");
  } finally {
    broken.closeAllConnections();
    await new Promise((resolve) => broken.close(resolve));
    await closeApps();
  }
});
