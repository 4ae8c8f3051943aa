import type { TrendPoint } from './trend.ts';

/**
 * A bounded time series that keeps the lowest value seen in each time bucket: the lower envelope.
 *
 * The verdict judges floors, not raw samples. Keeping only the minimum per bucket does two things:
 * it throws away the garbage that was still in the heap when a value was read (the envelope
 * hugs the floor), and it bounds both memory and the O(n²) trend test, however often GCs or
 * samples arrive. Memory: two Float64Arrays of `capacity` entries.
 */
export class EnvelopeSeries {
  readonly bucketMs: number;
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private length = 0;
  private currentBucket = Number.NaN;

  constructor(bucketMs: number, capacity: number) {
    this.bucketMs = bucketMs;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  add(time: number, value: number): void {
    if (!Number.isFinite(value) || !Number.isFinite(time)) return;
    const bucket = Math.floor(time / this.bucketMs);
    if (bucket === this.currentBucket && this.length > 0) {
      const last = (this.head + this.length - 1) % this.capacity;
      if (value <= this.values[last]!) {
        this.values[last] = value;
        this.times[last] = time;
      }
      return;
    }
    this.currentBucket = bucket;
    const index = (this.head + this.length) % this.capacity;
    this.times[index] = time;
    this.values[index] = value;
    if (this.length < this.capacity) this.length++;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** Points with `time >= since`, oldest first. */
  since(since: number): TrendPoint[] {
    const points: TrendPoint[] = [];
    for (let i = 0; i < this.length; i++) {
      const index = (this.head + i) % this.capacity;
      const time = this.times[index]!;
      if (time >= since) points.push({ time, value: this.values[index]! });
    }
    return points;
  }

  /** The most recent value, or `undefined` when empty. */
  latest(): TrendPoint | undefined {
    if (this.length === 0) return undefined;
    const index = (this.head + this.length - 1) % this.capacity;
    return { time: this.times[index]!, value: this.values[index]! };
  }

  get size(): number {
    return this.length;
  }
}
