/** The part of a stream the colour decision needs; `process.stdout` fits. */
export interface ColorStream {
  isTTY?: boolean;
  hasColors?: () => boolean;
}

/**
 * Colour only on a terminal that supports it, and never when `NO_COLOR` is set to anything
 * (https://no-color.org).
 *
 * @example
 * const color = shouldUseColor(process.stdout, process.env);
 */
export function shouldUseColor(stream: ColorStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (stream.isTTY !== true) return false;
  return stream.hasColors?.() ?? true;
}
