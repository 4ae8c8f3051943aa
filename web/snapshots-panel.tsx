import type {
  DashboardAction,
  DashboardAnalysisSummary,
  DashboardProcess,
  DashboardSnapshot,
} from '../src/server/api-types.ts';
import { baseName, formatBytes, formatClock, formatDuration } from './format.ts';

const STATE_WORDS = { capturing: 'taking', analyzing: 'analyzing', done: 'done', failed: 'failed' } as const;

/** The two buttons, what they are doing, the snapshots taken and the analyses to open. */
export function SnapshotsPanel(props: {
  process: DashboardProcess | undefined;
  history: boolean;
  canAct: boolean;
  actions: readonly DashboardAction[];
  snapshots: readonly DashboardSnapshot[];
  analyses: readonly DashboardAnalysisSummary[];
  selectedAnalysis: number | null;
  onAct: (kind: 'snapshot' | 'series') => void;
  onOpen: (id: number) => void;
  actionError: string | null;
}) {
  const running = props.actions.find(
    (action) => action.state === 'capturing' || action.state === 'analyzing',
  );
  const latestActions = [...props.actions].sort((a, b) => b.id - a.id).slice(0, 3);
  const disabled = !props.canAct || running !== undefined;
  // The server says why (watched from outside through /proc, exited, …); the rest is for a page
  // that has no process to show yet.
  const why = !props.canAct
    ? props.history
      ? 'This page shows a history file: snapshots are taken by a live dashboard (memwatcher run --serve).'
      : (props.process?.snapshotsUnavailable ??
        'Heap snapshots need a Node process watched through its agent or the inspector.')
    : undefined;
  return (
    <section class="panel" data-testid="snapshots">
      <h2>Heap snapshots</h2>
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={disabled}
          onClick={() => props.onAct('snapshot')}
          data-testid="take-snapshot"
        >
          Take a heap snapshot
        </button>
        <button
          type="button"
          disabled={disabled}
          onClick={() => props.onAct('series')}
          data-testid="analyze-series"
        >
          Find leaks (3 snapshots)
        </button>
      </div>
      <p class="muted small">
        {why ??
          'Each snapshot pauses the process for a moment. One snapshot counts objects by class; three, a few seconds apart, show what keeps growing and who holds it.'}
      </p>
      {props.actionError !== null && <p class="error">{props.actionError}</p>}
      {latestActions.length > 0 && (
        <ul class="action-list" data-testid="actions">
          {latestActions.map((action) => (
            <li class={`action ${action.state}`}>
              <span class="state">{STATE_WORDS[action.state]}</span>
              <span>{action.kind === 'series' ? 'leak search' : 'snapshot'}</span>
              <span class="muted">{action.message}</span>
              {action.state === 'done' && action.analysisId !== null && (
                <button type="button" class="link" onClick={() => props.onOpen(action.analysisId!)}>
                  open
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.analyses.length > 0 && (
        <>
          <h3>Analyses</h3>
          <ul class="analysis-list">
            {[...props.analyses].reverse().map((analysis) => (
              <li>
                <button
                  type="button"
                  class={`link ${analysis.id === props.selectedAnalysis ? 'selected' : ''}`}
                  onClick={() => props.onOpen(analysis.id)}
                >
                  {formatClock(analysis.time)} · {analysis.files.length} snapshot
                  {analysis.files.length === 1 ? '' : 's'}
                  {analysis.files.length > 1 &&
                    ` · ${analysis.suspectCount} suspect${analysis.suspectCount === 1 ? '' : 's'}`}
                </button>
                {analysis.durationMs !== null && (
                  <span class="muted small"> analyzed in {formatDuration(analysis.durationMs)}</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {props.snapshots.length > 0 && (
        <>
          <h3>Files</h3>
          <table class="compact">
            <tbody>
              {[...props.snapshots]
                .reverse()
                .slice(0, 12)
                .map((snapshot) => (
                  <tr>
                    <td>{formatClock(snapshot.time)}</td>
                    <td class="file" title={snapshot.file}>
                      {baseName(snapshot.file)}
                    </td>
                    <td class="num">{formatBytes(snapshot.bytes)}</td>
                    <td class="muted">{snapshot.reason}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
