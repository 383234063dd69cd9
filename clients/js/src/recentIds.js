// The ids of the last messages delivered, to drop a second copy of one (a message can reach a client twice when
// it moves between instances while the message is being broadcast to both).

export class RecentIds {
  #capacity;
  #ids = new Set();

  /** @param {number} capacity - how many ids are remembered; the oldest is forgotten first */
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("dedupWindow must be a positive integer");
    this.#capacity = capacity;
  }

  /** True if the id was seen (within the window); remembers it otherwise. */
  seen(id) {
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value);
    return false;
  }

  get size() {
    return this.#ids.size;
  }
}
