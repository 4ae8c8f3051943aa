/**
 * The demo's patient: a tiny web shop that leaks. `memwatcher demo` runs it as a child process and
 * sends it bursts of traffic through the IPC channel, as a load balancer would send requests; the
 * heap snapshots between bursts are taken by `take-snapshot.ts`, which the demo preloads with
 * `--import` (as memwatcher's agent will be), so this file stays what a user's program looks like.
 *
 * Three kinds of memory live here, and only one is a leak:
 * - THE LEAK: `sessions`, a module-level Map that caches every request's Session and never evicts.
 * - Healthy: `products`, a cache bounded to 100 entries; it fills once, then only replaces entries.
 * - Healthy: per-request garbage (a parsed body, a rendered page), collectable once a request ends.
 */
import { randomBytes } from 'node:crypto';

/** A burst of traffic, sent by `memwatcher demo`. */
export interface Traffic {
  type: 'traffic';
  requests: number;
}

/**
 * Sent once the program listens for traffic. Node (22.12 at least) drops IPC messages that arrive
 * before an ES module's `process.on('message')` has run, and with `--import` the preloaded module's
 * listener can be in place while this one is not: traffic sent on 'spawn' was lost and the demo hung.
 */
export interface AppReady {
  type: 'ready';
}

/** The reply after a burst. */
export interface TrafficServed {
  type: 'served';
  requestsServed: number;
  sessionsCached: number;
  productsCached: number;
}

class Session {
  readonly id: string;
  readonly user: string;
  readonly token: string;
  readonly startedAt: number;
  readonly visited: string[] = [];

  constructor(id: string, user: string) {
    this.id = id;
    this.user = user;
    this.token = randomBytes(12).toString('hex');
    this.startedAt = Date.now();
  }
}

class Product {
  readonly sku: string;
  readonly title: string;
  readonly priceCents: number;

  constructor(sku: string) {
    this.sku = sku;
    this.title = `Product ${sku}`;
    this.priceCents = 100 + ((sku.length * 997) % 5000);
  }
}

/** Least recently used first out: a Map keeps insertion order, so re-inserting marks an entry as fresh. */
class BoundedCache<Value> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Value>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Value | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: Value): Value {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return value;
  }
}

// THE LEAK: written on every request, read by nobody, never evicted.
const sessions = new Map<string, Session>();

const products = new BoundedCache<Product>(100);

const users = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara'];

function handleRequest(requestNumber: number): string {
  const session = new Session(`session-${requestNumber}`, users[requestNumber % users.length] ?? 'guest');
  const sku = `sku-${(requestNumber * 7919) % 1000}`;
  session.visited.push(`/products/${sku}`);
  sessions.set(session.id, session);

  const product = products.get(sku) ?? products.set(sku, new Product(sku));

  // Transient: garbage as soon as this function returns.
  const body = JSON.parse(
    JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ line: i, sku })) }),
  );
  return `<h1>${product.title}</h1><p>${body.items.length} items for ${session.user}</p>`;
}

let requestsServed = 0;

function serveTraffic(message: Traffic): void {
  if (message.type !== 'traffic') return;
  for (let i = 0; i < message.requests; i++) handleRequest(requestsServed++);
  const served: TrafficServed = {
    type: 'served',
    requestsServed,
    sessionsCached: sessions.size,
    productsCached: products.size,
  };
  process.send?.(served);
}

process.on('message', serveTraffic);
process.send?.({ type: 'ready' } satisfies AppReady);
