import { FileAccessError, InvalidOptionError, UsageError } from '../errors.ts';
import { reportModelFromStore } from '../report/model-from-store.ts';
import type { ReportModel } from '../report/report-model.ts';
import { openHistoryReader } from '../store/history-reader.ts';
import type { FlagDefinitions } from './flags.ts';
import { parsePositiveInteger } from './flags.ts';

/** `--run` and `--pid` of `report` and `chart`. */
export interface HistorySelection {
  run: number | undefined;
  pid: number | undefined;
}

/** The flags that choose what of a history file to show. */
export const selectionFlags: FlagDefinitions<HistorySelection> = {
  run: {
    type: 'string',
    valueName: 'ID',
    default: undefined,
    parse: parsePositiveInteger,
    description: 'Which run of the file. Default: the most recent.',
  },
  pid: {
    type: 'string',
    valueName: 'N',
    default: undefined,
    parse: parsePositiveInteger,
    description: 'Which process of the run. Default: the first one with samples.',
  },
};

/**
 * The report model of one run of a history file, for `report` and `chart`. The file is read-only
 * here and may be written by a running memwatcher at the same time. Throws `StoreError`
 * (`ERR_STORE_OPEN`: missing, not a history file), `FileAccessError` for a history without runs,
 * `InvalidOptionError` for a `--run` or `--pid` it does not hold.
 *
 * @example
 * const { model, runId } = loadHistoryModel('memwatcher.db', { run: undefined, pid: undefined });
 */
export function loadHistoryModel(
  file: string,
  selection: HistorySelection,
): { model: ReportModel; runId: number } {
  const history = openHistoryReader(file);
  try {
    const runs = history.runs();
    if (runs.length === 0) {
      throw new FileAccessError(
        file,
        `${file} holds no runs yet: record one with 'memwatcher run --db ${file} -- <command>' (or attach, watch).`,
      );
    }
    let model: ReportModel;
    try {
      model = reportModelFromStore(history, {
        ...(selection.run === undefined ? {} : { runId: selection.run }),
        ...(selection.pid === undefined ? {} : { pid: selection.pid }),
      });
    } catch (error) {
      if (!(error instanceof InvalidOptionError)) throw error;
      const flag = error.option === 'runId' ? '--run' : '--pid';
      throw new UsageError(`${flag}: ${error.message.slice(error.option.length + 2)}`, { cause: error });
    }
    return { model, runId: selection.run ?? runs[0]!.id };
  } finally {
    history.close();
  }
}
