import type { Runtime } from 'node:inspector';
import { AttachError } from '../errors.ts';
import type { CdpConnection } from './cdp-connection.ts';

export interface EvaluateOptions {
  /** Make the console's command-line API (`require` in Node) available to the expression. */
  readonly commandLineApi?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Evaluates an expression in the target's main context and returns its value (JSON-like values
 * only). `silent`: an exception neither pauses a debugger nor reaches the target's console; it
 * becomes `ERR_INSPECTOR_PROTOCOL` here.
 *
 * @example
 * const pid = await evaluateInTarget(connection, 'process.pid'); // 4242
 */
export async function evaluateInTarget(
  connection: CdpConnection,
  expression: string,
  options: EvaluateOptions = {},
): Promise<unknown> {
  const answer = await connection.send<Runtime.EvaluateReturnType>(
    'Runtime.evaluate',
    {
      expression,
      returnByValue: true,
      silent: true,
      includeCommandLineAPI: options.commandLineApi === true,
    },
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
  if (answer.exceptionDetails !== undefined) {
    const details = answer.exceptionDetails;
    const description = details.exception?.description ?? details.text;
    throw new AttachError(
      'ERR_INSPECTOR_PROTOCOL',
      connection.pid,
      `An expression memwatcher evaluated in process ${connection.pid} threw: ${description.split('\n')[0]}.`,
    );
  }
  return answer.result.value;
}
