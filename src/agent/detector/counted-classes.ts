// biome-ignore lint/complexity/noBannedTypes: v8.queryObjects counts instances of any function with a prototype.
export type Constructor = Function;

interface CountedClass {
  readonly name: string;
  /** Registered constructors are held: the user asked for them. */
  readonly strong: Constructor | undefined;
  /** Discovered ones are not: counting a class must not keep it (and its module) alive. */
  readonly weak: WeakRef<Constructor>;
}

/**
 * The constructors a `queryObjects` census counts, at most `max` of them (each costs one full GC per
 * census). Names are unique: a second class called `Session` is counted as `Session #2`.
 */
export class CountedClasses {
  readonly #max: number;
  #entries: CountedClass[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Adds a constructor; returns false when it is already counted, cannot be counted (`Object` and
   * `Function` would count nearly everything; arrow functions have no instances) or the list is full.
   */
  add(ctor: Constructor, how: 'registered' | 'discovered'): boolean {
    if (typeof ctor !== 'function' || ctor === Object || ctor === Function || ctor.prototype === undefined) {
      return false;
    }
    this.#prune();
    if (this.#entries.some((entry) => entry.weak.deref() === ctor) || this.#entries.length >= this.#max) {
      return false;
    }
    const base = ctor.name === '' ? '(anonymous class)' : ctor.name;
    let name = base;
    for (let n = 2; this.#entries.some((entry) => entry.name === name); n += 1) name = `${base} #${n}`;
    this.#entries.push({ name, strong: how === 'registered' ? ctor : undefined, weak: new WeakRef(ctor) });
    return true;
  }

  /** Constructors to count now, with a getter that is `undefined` once a discovered class is gone. */
  list(): { name: string; ctor: () => Constructor | undefined }[] {
    this.#prune();
    return this.#entries.map((entry) => ({
      name: entry.name,
      ctor: () => entry.strong ?? entry.weak.deref(),
    }));
  }

  get size(): number {
    this.#prune();
    return this.#entries.length;
  }

  #prune(): void {
    this.#entries = this.#entries.filter(
      (entry) => entry.strong !== undefined || entry.weak.deref() !== undefined,
    );
  }
}
