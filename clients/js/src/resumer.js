// Continuity (xregion's issue 16): envelopes in, resumes after every reconnect. A client that negotiates with
// `envelope=v1` gets every broadcast as {id, stream, position, dataType, data}; this keeps the newest positions per
// stream, asks the app server's GET /resume (through the same front as negotiate: the same URLs with /resume for
// /negotiate, in the same order) for what a new connection missed, and drops a message whose id it delivered
// already. The receivers of several app servers can deliver a stream's messages slightly out of position order, so a
// resume asks from the oldest of the last `overlap` positions seen, not the newest: the repeats are dropped by id.

/** An envelope as xregion sends it, or undefined for any other message. */
export function envelopeOf(message) {
  const d = message?.data;
  if (message?.dataType !== "json" || d === null || typeof d !== "object" || typeof d.id !== "string"
      || typeof d.stream !== "string" || !("position" in d) || !("data" in d)) return undefined;
  return d;
}

/** The message a listener gets for an envelope: the inner data, with the envelope's id, stream and position. */
export function unwrap(message, envelope) {
  const dataType = envelope.dataType === "binary" ? "binary" : envelope.dataType === "text" ? "text" : "json";
  const data = dataType === "binary" ? Uint8Array.from(atob(envelope.data), (c) => c.charCodeAt(0)).buffer
    : envelope.data;
  return { ...message, dataType, data, id: envelope.id, stream: envelope.stream, position: envelope.position };
}

/** Orders positions ("<number>-<number>"); undefined and null come first. */
export function comparePositions(a, b) {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  const [am, as] = a.split("-").map(BigInt);
  const [bm, bs] = b.split("-").map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as < bs ? -1 : as > bs ? 1 : 0;
}

export class Resumer {
  #urls;
  #userId;
  #headers;
  #fetch;
  #timeoutMs;
  #overlap;
  /** @type {Map<string, string[]>} per stream, the last positions seen, in arrival order */
  #seen = new Map();

  constructor({ negotiateUrls, userId, headers, fetch = globalThis.fetch, timeoutMs = 2000, streams, overlap = 32 }) {
    this.#urls = negotiateUrls.map((u) => {
      const url = new URL(u);
      url.pathname = url.pathname.replace(/negotiate$/, "resume");
      return url;
    });
    this.#userId = userId;
    this.#headers = headers ?? (() => ({}));
    this.#fetch = fetch;
    this.#timeoutMs = timeoutMs;
    this.#overlap = overlap;
    for (const stream of streams) this.#seen.set(stream, []);
  }

  get streams() {
    return [...this.#seen.keys()];
  }

  /** Where a resume of the stream starts: the oldest of its last positions (undefined: never asked yet). */
  from(stream) {
    const seen = this.#seen.get(stream);
    if (!seen || seen.length === 0) return undefined;
    return seen.reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b));
  }

  /** The newest position seen in the stream. */
  newest(stream) {
    const seen = this.#seen.get(stream) ?? [];
    return seen.reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b), undefined);
  }

  /** A position delivered (live or resumed). */
  saw(stream, position) {
    if (position === null || position === undefined) return;
    let seen = this.#seen.get(stream);
    if (!seen) this.#seen.set(stream, (seen = []));
    seen.push(position);
    if (seen.length > this.#overlap) seen.shift();
  }

  /** Starts the stream afresh at a position (after a gap, or the first answer). */
  reset(stream, position) {
    this.#seen.set(stream, position ? [position] : []);
  }

  /**
   * What the stream holds after `after` (all pages): {gap, position, messages}. Throws when no app server answers.
   * @param {string} stream
   * @param {string | undefined} after
   */
  async missed(stream, after) {
    const messages = [];
    let from = after;
    for (;;) {
      const answer = await this.#ask(stream, from);
      if (answer.gap) return { gap: true, position: answer.position, messages: [] };
      messages.push(...answer.messages);
      if (!answer.more || answer.messages.length === 0) return { gap: false, position: answer.position, messages };
      from = answer.position;
    }
  }

  async #ask(stream, after) {
    const failures = [];
    for (const base of this.#urls) {
      const url = new URL(base);
      if (this.#userId !== undefined) url.searchParams.set("userId", this.#userId);
      url.searchParams.set("stream", stream);
      if (after !== undefined) url.searchParams.set("after", after);
      try {
        const answer = await this.#fetch(url, { headers: await this.#headers(),
          signal: AbortSignal.timeout(this.#timeoutMs) });
        if (answer.status === 200) return await answer.json();
        answer.body?.cancel().catch(() => {});
        failures.push(`${url.origin} ${answer.status}`);
        // a refusal of the request itself is the same everywhere
        if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) break;
      } catch (e) {
        failures.push(`${url.origin} ${e?.name === "TimeoutError" ? "no answer in time" : String(e?.cause?.code ?? e)}`);
      }
    }
    throw new Error(`no app server answered /resume for ${stream}: ${failures.join("; ")}`);
  }
}
