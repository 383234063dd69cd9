// Negotiate through the global front: the app servers' /negotiate URLs in order of preference (this client's own
// region first). The first URL is asked first; when it fails, or has not answered after the hedge delay, the next
// is asked too, and the first good answer wins. The client's home comes with the first answer and is sent on
// every later negotiate, so that a client that negotiated through another region's app server is still brought
// home by its own region's failback.

/** A negotiate that no URL answered well; `failures` says what each one did (never a URL's token). */
export class NegotiateError extends Error {
  /** @param {{url: string, status?: number, error?: string}[]} failures */
  constructor(failures) {
    super(`no app server answered negotiate: ${failures.map((f) => `${f.url} ${f.status ?? f.error}`).join("; ")}`);
    this.name = "NegotiateError";
    this.failures = failures;
  }
}

export class FrontNegotiator {
  #urls;
  #userId;
  #home;
  #headers;
  #timeoutMs;
  #hedgeMs;
  #fetch;
  #query;

  /**
   * @param {object} options
   * @param {string[]} options.urls - the app servers' negotiate URLs, own region first
   * @param {string} [options.userId] - sent as `userId` (identity mode `none`; ignored by the app otherwise)
   * @param {string} [options.home] - sent as `home`; else the first answer's home, kept from then on
   * @param {() => Record<string, string> | Promise<Record<string, string>>} [options.headers] - e.g. a bearer token
   * @param {number} [options.timeoutMs] - how long one app server may take to answer
   * @param {number} [options.hedgeMs] - how long to wait for one app server before asking the next as well
   * @param {typeof fetch} [options.fetch]
   * @param {Record<string, string>} [options.query] - further query parameters (e.g. envelope=v1)
   */
  constructor({ urls, userId, home, headers, timeoutMs = 2000, hedgeMs = 500, fetch = globalThis.fetch, query }) {
    this.#query = query ?? {};
    if (!Array.isArray(urls) || urls.length === 0) throw new TypeError("negotiateUrls: at least one URL is needed");
    this.#urls = urls.map((u) => new URL(u));
    this.#userId = userId;
    this.#home = home;
    this.#headers = headers ?? (() => ({}));
    this.#timeoutMs = timeoutMs;
    this.#hedgeMs = hedgeMs;
    this.#fetch = fetch;
  }

  /** The home this client sends (undefined until an answer names one, unless it was given). */
  get home() {
    return this.#home;
  }

  /**
   * @param {AbortSignal} [signal]
   * @param {string} [avoid] - an instance this client has just lost: the app server hands out another one if it can
   * @param {{hedgeMs?: number}} [options] - hedgeMs: this negotiate's hedge delay instead of the client's
   * @returns {Promise<{url: string, region?: string, home?: string, via: number}>} via: which URL answered
   */
  negotiate(signal, avoid, options) {
    const hedgeMs = options?.hedgeMs ?? this.#hedgeMs;
    const all = new AbortController();
    const stop = () => all.abort();
    signal?.addEventListener("abort", stop, { once: true });
    const failures = [];
    return new Promise((resolve, reject) => {
      let next = 0;
      let pending = 0;
      let settled = false;
      let hedge;
      const finish = (outcome) => {
        settled = true;
        clearTimeout(hedge);
        signal?.removeEventListener("abort", stop);
        all.abort();
        outcome();
      };
      const askNext = () => {
        if (settled || next >= this.#urls.length) return;
        const index = next++;
        pending++;
        clearTimeout(hedge);
        hedge = setTimeout(askNext, hedgeMs);
        this.#ask(index, all.signal, avoid).then(
          (answer) => {
            if (settled) return;
            if (this.#home === undefined && answer.home) this.#home = answer.home;
            finish(() => resolve(answer));
          },
          (failure) => {
            pending--;
            failures[index] = failure;
            if (settled) return;
            if (next < this.#urls.length) askNext();
            else if (pending === 0) finish(() => reject(new NegotiateError(failures.filter(Boolean))));
          },
        );
      };
      askNext();
    });
  }

  async #ask(index, signal, avoid) {
    const url = new URL(this.#urls[index]);
    if (this.#userId !== undefined) url.searchParams.set("userId", this.#userId);
    if (this.#home !== undefined) url.searchParams.set("home", this.#home);
    if (avoid !== undefined) url.searchParams.set("avoid", avoid);
    for (const [name, value] of Object.entries(this.#query)) url.searchParams.set(name, value);
    const where = `${url.origin}${url.pathname}`;
    let answer;
    try {
      answer = await this.#fetch(url, {
        headers: await this.#headers(),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
    } catch (e) {
      throw { url: where, error: e?.name === "TimeoutError" ? "no answer in time" : String(e?.cause?.code ?? e) };
    }
    if (answer.status !== 200) {
      answer.body?.cancel().catch(() => {});
      throw { url: where, status: answer.status };
    }
    let body;
    try {
      body = await answer.json();
    } catch {
      throw { url: where, error: "not JSON" };
    }
    if (typeof body?.url !== "string") throw { url: where, error: "no url in the answer" };
    return {
      url: body.url,
      region: typeof body.region === "string" ? body.region : undefined,
      home: typeof body.home === "string" && body.home ? body.home : undefined,
      via: index,
    };
  }
}
