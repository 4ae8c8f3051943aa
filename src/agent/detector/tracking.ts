/** What `LeakDetector.tracked()` says about one tracked object. */
export interface TrackedObjectStatus {
  readonly name: string;
  /** Constructor name of the object when it was tracked (`Object` for a plain object). */
  readonly className: string;
  readonly alive: boolean;
  /** When `track()` was called, ms since the epoch. */
  readonly trackedAt: number;
  /**
   * When the collection was noticed (the FinalizationRegistry callback, or a dead WeakRef, whichever
   * came first), ms since the epoch. The GC itself happened shortly before.
   */
  readonly collectedAt?: number;
  /** How long it has lived: until now when alive, until `collectedAt` otherwise. */
  readonly ageMs: number;
}

interface TrackedEntry {
  readonly name: string;
  readonly className: string;
  readonly ref: WeakRef<object>;
  readonly trackedAt: number;
  collectedAt: number | undefined;
}

/**
 * Objects watched through `WeakRef`s (never kept alive by us), at most `max` of them: when full, the
 * oldest collected entry makes room, else the oldest entry. A `FinalizationRegistry` notes when each
 * is collected. Tracking a name again replaces the earlier entry.
 */
export class TrackedObjects {
  readonly #max: number;
  readonly #entries = new Map<string, TrackedEntry>();
  // The held value is the entry, which holds the target only weakly. The callback cannot throw.
  readonly #registry = new FinalizationRegistry<TrackedEntry>((entry) => {
    entry.collectedAt ??= Date.now();
  });
  #dropped = 0;

  constructor(max: number) {
    this.#max = max;
  }

  add(target: object, name: string): void {
    this.#remove(name);
    if (this.#entries.size >= this.#max) {
      const victim =
        [...this.#entries.values()].find((entry) => !isAlive(entry)) ?? this.#entries.values().next().value;
      if (victim !== undefined) {
        this.#remove(victim.name);
        this.#dropped += 1;
      }
    }
    const prototype: unknown = Object.getPrototypeOf(target);
    const ctor = (prototype as { constructor?: unknown } | null)?.constructor;
    const className = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : '(anonymous)';
    const entry: TrackedEntry = {
      name,
      className,
      ref: new WeakRef(target),
      trackedAt: Date.now(),
      collectedAt: undefined,
    };
    this.#entries.set(name, entry);
    this.#registry.register(target, entry, entry);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The object, or `undefined` once collected. Keeps it alive until the current job ends (WeakRef rule). */
  target(name: string): object | undefined {
    return this.#entries.get(name)?.ref.deref();
  }

  /** Known collected, without touching the WeakRef (which would keep a live object for this job). */
  isKnownCollected(name: string): boolean {
    return this.#entries.get(name)?.collectedAt !== undefined;
  }

  statuses(): TrackedObjectStatus[] {
    const now = Date.now();
    return [...this.#entries.values()].map((entry) => {
      const alive = isAlive(entry);
      const { name, className, trackedAt, collectedAt } = entry;
      return alive
        ? { name, className, alive, trackedAt, ageMs: now - trackedAt }
        : {
            name,
            className,
            alive,
            trackedAt,
            collectedAt: collectedAt ?? now,
            ageMs: (collectedAt ?? now) - trackedAt,
          };
    });
  }

  /** Entries evicted to stay within `max`. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    for (const name of [...this.#entries.keys()]) this.#remove(name);
  }

  #remove(name: string): void {
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    this.#registry.unregister(entry);
    this.#entries.delete(name);
  }
}

function isAlive(entry: TrackedEntry): boolean {
  if (entry.collectedAt !== undefined) return false;
  if (entry.ref.deref() !== undefined) return true;
  entry.collectedAt = Date.now();
  return false;
}
