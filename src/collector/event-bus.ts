import { CollectorFaultError } from '../errors.ts';
import type { CollectorEvent } from './events.ts';

/** Receives every event, in order. May be called often (one sample per process per interval). */
export type EventSink = (event: CollectorEvent) => void;

/**
 * Fans events out to sinks in the order they subscribed. A sink that throws does not stop the others
 * nor the collector: the first throw of each sink is reported through `onFault`, later ones are counted.
 *
 * @example
 * const bus = new EventBus((error) => console.error(error.message));
 * const unsubscribe = bus.subscribe((event) => file.write(`${JSON.stringify(event)}\n`));
 * bus.publish(event);
 */
export class EventBus {
  private readonly sinks: { sink: EventSink; failures: number }[] = [];
  private readonly onFault: (error: CollectorFaultError) => void;

  constructor(onFault: (error: CollectorFaultError) => void) {
    this.onFault = onFault;
  }

  subscribe(sink: EventSink): () => void {
    const entry = { sink, failures: 0 };
    this.sinks.push(entry);
    return () => {
      const index = this.sinks.indexOf(entry);
      if (index !== -1) this.sinks.splice(index, 1);
    };
  }

  publish(event: CollectorEvent): void {
    // A copy: a sink may unsubscribe (itself or another) while the event is delivered.
    for (const entry of [...this.sinks]) {
      try {
        entry.sink(event);
      } catch (error) {
        entry.failures++;
        if (entry.failures === 1) {
          const reason = error instanceof Error ? error.message : String(error);
          this.onFault(
            new CollectorFaultError(
              'ERR_SINK',
              `an event sink failed on a '${event.type}' event: ${reason}`,
              {
                cause: error,
              },
            ),
          );
        }
      }
    }
  }
}
