import { useState } from 'preact/hooks';
import type { DashboardAnalysis, DashboardSuspect } from '../src/server/api-types.ts';
import { CensusTable } from './census-table.tsx';
import { baseName, formatBytes, formatClock, formatCount } from './format.ts';
import { RetainerGraph } from './retainer-graph.tsx';

function where(suspect: DashboardSuspect): string | null {
  if (suspect.location === null) return null;
  const file =
    suspect.location.url === null ? `script ${suspect.location.line}` : baseName(suspect.location.url);
  return `${file}:${suspect.location.line + 1}:${suspect.location.column + 1}`;
}

/** The leak suspects of an analysis; one opens its retainer graph. */
function SuspectList(props: { suspects: readonly DashboardSuspect[]; snapshots: number }) {
  const [open, setOpen] = useState<number | null>(props.suspects.length > 0 ? 0 : null);
  if (props.snapshots < 2) {
    return (
      <p class="empty">One snapshot shows what is in the heap; leak suspects need a series (“Find leaks”).</p>
    );
  }
  if (props.suspects.length === 0) {
    return <p class="empty ok">Nothing kept accumulating across the snapshots: no leak suspect.</p>;
  }
  const chosen = open === null ? undefined : props.suspects[open];
  return (
    <div class="suspects">
      <ol class="suspect-list" data-testid="suspects">
        {props.suspects.map((suspect, index) => (
          <li class={index === open ? 'open' : ''}>
            <button type="button" class="suspect-head" onClick={() => setOpen(index)} data-testid="suspect">
              <span class="count">{formatCount(suspect.count)} ×</span>{' '}
              <span class="mono">{suspect.type === 'closure' ? `${suspect.name}()` : suspect.name}</span>
              <span class="retained">{formatBytes(suspect.retainedSize)}</span>
            </button>
            <div class="suspect-facts">
              <span>grew {suspect.growth.map(formatCount).join(' → ')}</span>
              {suspect.accumulatesIn !== null && (
                <span>
                  in <span class="mono">{suspect.accumulatesIn.name}</span>
                  {suspect.accumulatesIn.edge !== '' && (
                    <span class="mono"> .{suspect.accumulatesIn.edge}</span>
                  )}
                </span>
              )}
              {where(suspect) !== null && <span class="mono">{where(suspect)}</span>}
              {suspect.owners !== null && suspect.owners > 1 && <span>in {suspect.owners} places</span>}
            </div>
          </li>
        ))}
      </ol>
      {chosen !== undefined && (
        <div class="suspect-graph">
          <h3>
            Who holds the {formatCount(chosen.count)} <span class="mono">{chosen.name}</span>
          </h3>
          <RetainerGraph suspect={chosen} />
        </div>
      )}
    </div>
  );
}

/** One analysis: leak suspects with their retainer graphs, then the class census. */
export function AnalysisPanel(props: {
  analysis: DashboardAnalysis | null;
  loading: boolean;
  stringsAllowed: boolean;
  showStrings: boolean;
  onShowStrings: (show: boolean) => void;
}) {
  const { analysis } = props;
  return (
    <>
      <section class="panel" data-testid="analysis">
        <div class="panel-head">
          <h2>Leak suspects</h2>
          {analysis !== null && (
            <span class="muted small">
              {formatClock(analysis.time)} · {analysis.snapshotCount} snapshot
              {analysis.snapshotCount === 1 ? '' : 's'}
            </span>
          )}
          <label
            class={`strings-toggle ${props.stringsAllowed ? '' : 'disabled'}`}
            title={props.stringsAllowed ? '' : 'Start memwatcher with --show-strings to allow this.'}
          >
            <input
              type="checkbox"
              checked={props.showStrings}
              disabled={!props.stringsAllowed}
              onChange={(event) => props.onShowStrings((event.target as HTMLInputElement).checked)}
              data-testid="show-strings"
            />{' '}
            show heap strings
          </label>
        </div>
        {analysis === null ? (
          <p class="empty">
            {props.loading
              ? 'Loading…'
              : 'No analysis yet. Take a snapshot, or let memwatcher find leaks from a series of three.'}
          </p>
        ) : (
          <>
            {analysis.redacted && (
              <p class="muted small">
                Property names that look like data (keys filled from input) are shown as their length
                {props.stringsAllowed
                  ? '; tick “show heap strings” to see them.'
                  : '; start memwatcher with --show-strings to allow showing them.'}
              </p>
            )}
            <SuspectList
              key={`${analysis.id}-${analysis.redacted}`}
              suspects={analysis.suspects}
              snapshots={analysis.snapshotCount}
            />
          </>
        )}
      </section>
      {analysis !== null && (
        <section class="panel">
          <h2>Class census</h2>
          <CensusTable key={analysis.id} classes={analysis.census} snapshots={analysis.snapshotCount} />
        </section>
      )}
    </>
  );
}
