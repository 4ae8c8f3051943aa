import type { MemoryAlert } from './alert.ts';

/**
 * Any logger with `warn` and `error`: pino, winston, bunyan, `console`. Called pino-style,
 * `logger.warn({ memwatcher: alert }, message)`; critical alerts go to `error`.
 */
export interface AlertLogger {
  warn(...args: never[]): unknown;
  error(...args: never[]): unknown;
}

/** Logs one alert. Never throws; a throwing or rejecting logger is reported through `onFault`. */
export function logAlert(logger: AlertLogger, alert: MemoryAlert, onFault: (error: unknown) => void): void {
  try {
    const method = (alert.severity === 'critical' ? logger.error : logger.warn) as (
      object: unknown,
      message: string,
    ) => unknown;
    const result = method.call(logger, { memwatcher: alert }, `[memwatcher] ${alert.message}`);
    if (result instanceof Promise) result.catch(onFault);
  } catch (error) {
    onFault(error);
  }
}
