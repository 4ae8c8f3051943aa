import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  DashboardAnalysis,
  DashboardEvent,
  DashboardGc,
  DashboardGcKind,
  DashboardInfo,
  DashboardRun,
  DashboardSample,
  ProcessState,
} from '../src/server/api-types.ts';
import { emptyPauseBuckets, pauseBucket } from '../src/server/gc-tally.ts';
import { AlertsPanel } from './alerts-panel.tsx';
import { AnalysisPanel } from './analysis-panel.tsx';
import { api, openEvents } from './api.ts';
import { FigureTiles } from './figure-tiles.tsx';
import { formatClock } from './format.ts';
import { GcPanel } from './gc-panel.tsx';
import { MAX_POINTS_IN_PAGE, POINTS_PER_FETCH, SampleBuffer } from './sample-buffer.ts';
import { SnapshotsPanel } from './snapshots-panel.tsx';
import { type ChartMarker, TimeCharts } from './time-charts.tsx';
import { headline, VerdictPanel } from './verdict-panel.tsx';

interface Selection {
  readonly runId: number;
  readonly pid: number;
}

type Connection = 'connecting' | 'live' | 'down';

/** The process to show first: the latest run's process that sampled most recently. */
function defaultSelection(runs: readonly DashboardRun[], current: Selection | null): Selection | null {
  if (current !== null) {
    const run = runs.find((candidate) => candidate.id === current.runId);
    if (run?.processes.some((process) => process.pid === current.pid)) return current;
  }
  const run = runs[0];
  if (run === undefined || run.processes.length === 0) return null;
  const process = [...run.processes].sort((a, b) => (b.lastSample ?? -1) - (a.lastSample ?? -1))[0]!;
  return { runId: run.id, pid: process.pid };
}

/** The kind's tally with one more pause, counted as the server counts them. */
function countGc(kinds: readonly DashboardGcKind[], gc: DashboardGc): DashboardGcKind[] {
  const index = pauseBucket(gc.durationMs);
  const existing = kinds.find((kind) => kind.kind === gc.kind);
  const base: DashboardGcKind = existing ?? {
    kind: gc.kind,
    count: 0,
    totalPauseMs: 0,
    maxPauseMs: 0,
    buckets: emptyPauseBuckets(),
  };
  const next: DashboardGcKind = {
    ...base,
    count: base.count + 1,
    totalPauseMs: base.totalPauseMs + gc.durationMs,
    maxPauseMs: Math.max(base.maxPauseMs, gc.durationMs),
    buckets: base.buckets.map((entry, i) => (i === index ? { ...entry, count: entry.count + 1 } : entry)),
  };
  return existing === undefined ? [...kinds, next] : kinds.map((kind) => (kind === existing ? next : kind));
}

/** A process' state changed by one event from the stream. */
function applyEvent(state: ProcessState, event: DashboardEvent): ProcessState {
  switch (event.type) {
    case 'verdict': {
      const last = state.verdicts.at(-1);
      const verdicts =
        last !== undefined && last.time === event.verdict.time && last.status === event.verdict.status
          ? state.verdicts
          : [...state.verdicts, event.verdict];
      return { ...state, verdict: event.verdict, verdicts };
    }
    case 'alert':
      return { ...state, alerts: [...state.alerts, event.alert] };
    case 'gc':
      return {
        ...state,
        gcEvents: [...state.gcEvents.slice(-499), event.gc],
        gcKinds: countGc(state.gcKinds, event.gc),
      };
    case 'snapshot':
      return { ...state, snapshots: [...state.snapshots, event.snapshot] };
    case 'analysis':
      return { ...state, analyses: [...state.analyses, event.analysis] };
    case 'action':
      return {
        ...state,
        actions: [...state.actions.filter((action) => action.id !== event.action.id), event.action],
      };
    case 'error':
      return { ...state, errors: [...state.errors, event.error] };
    default:
      return state;
  }
}

export function App() {
  const [info, setInfo] = useState<DashboardInfo | null>(null);
  const [runs, setRuns] = useState<readonly DashboardRun[]>([]);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [state, setState] = useState<ProcessState | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const [, setSampleTick] = useState(0);
  const [analysisId, setAnalysisId] = useState<number | null>(null);
  const [analysis, setAnalysis] = useState<DashboardAnalysis | null>(null);
  const [analysisLoading, setAnalysisLoading] = useState(false);
  const [showStrings, setShowStrings] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const buffer = useMemo(() => new SampleBuffer(), []);

  const selectionRef = useRef<Selection | null>(null);
  selectionRef.current = selection;
  /** Live samples that arrive while the series is being fetched, appended after it. */
  const pendingRef = useRef<DashboardSample[] | null>(null);
  const loadRef = useRef(0);
  const runsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refreshRuns = async () => {
    const next = await api.runs();
    setRuns(next);
    setSelection((current) => {
      const chosen = defaultSelection(next, current);
      return chosen !== null &&
        current !== null &&
        chosen.runId === current.runId &&
        chosen.pid === current.pid
        ? current
        : chosen;
    });
    return next;
  };

  const loadProcess = async (chosen: Selection) => {
    const load = ++loadRef.current;
    pendingRef.current = [];
    try {
      const [processState, series] = await Promise.all([
        api.state(chosen.runId, chosen.pid),
        api.samples(chosen.runId, chosen.pid, { maxPoints: POINTS_PER_FETCH }),
      ]);
      if (load !== loadRef.current) return;
      buffer.replace(series);
      for (const sample of pendingRef.current ?? []) buffer.append(sample);
      setState(processState);
      setAnalysisId((current) =>
        current !== null && processState.analyses.some((entry) => entry.id === current)
          ? current
          : (processState.analyses.at(-1)?.id ?? null),
      );
      setProblem(null);
    } catch (error) {
      if (load === loadRef.current) setProblem(String((error as Error).message));
    } finally {
      if (load === loadRef.current) pendingRef.current = null;
    }
  };

  useEffect(() => {
    let stopped = false;
    api.info().then(
      (value) => {
        if (!stopped) {
          setInfo(value);
          document.title = `memwatcher · ${value.title}`;
        }
      },
      (error: Error) => setProblem(error.message),
    );
    const close = openEvents({
      onOpen: () => {
        setConnection('live');
        // After a reconnection everything may have moved on: fetch it all again.
        refreshRuns().then(
          () => {
            const current = selectionRef.current;
            if (current !== null) void loadProcess(current);
          },
          (error: Error) => setProblem(error.message),
        );
      },
      onDown: () => setConnection('down'),
      onEvent: (event) => {
        if (event.type === 'runs') {
          clearTimeout(runsTimer.current);
          runsTimer.current = setTimeout(() => void refreshRuns().catch(() => {}), 250);
          return;
        }
        const current = selectionRef.current;
        if (current === null || event.runId !== current.runId || event.pid !== current.pid) return;
        if (event.type === 'sample') {
          if (pendingRef.current !== null) pendingRef.current.push(event.sample);
          else if (buffer.append(event.sample)) {
            if (buffer.length > MAX_POINTS_IN_PAGE) void loadProcess(current);
            setSampleTick((tick) => tick + 1);
          }
          return;
        }
        setState((previous) => (previous === null ? previous : applyEvent(previous, event)));
        if (event.type === 'analysis') setAnalysisId(event.analysis.id);
        if (event.type === 'action' && event.action.state === 'done' && event.action.analysisId !== null)
          setAnalysisId(event.action.analysisId);
      },
    });
    return () => {
      stopped = true;
      close();
    };
  }, []);

  useEffect(() => {
    if (selection === null) return;
    buffer.clear();
    setState(null);
    setAnalysis(null);
    void loadProcess(selection);
  }, [selection?.runId, selection?.pid]);

  useEffect(() => {
    if (analysisId === null) {
      setAnalysis(null);
      return;
    }
    let current = true;
    setAnalysisLoading(true);
    api
      .analysis(analysisId, showStrings)
      .then(
        (value) => current && setAnalysis(value),
        (error: Error) => current && setProblem(error.message),
      )
      .finally(() => current && setAnalysisLoading(false));
    return () => {
      current = false;
    };
  }, [analysisId, showStrings]);

  const run = runs.find((candidate) => candidate.id === selection?.runId);
  const process = run?.processes.find((candidate) => candidate.pid === selection?.pid);
  const jsFigures = process === undefined || process.method !== 'proc';
  const markers = useMemo<ChartMarker[]>(() => {
    if (state === null) return [];
    const list: ChartMarker[] = [
      ...state.alerts.map((alert) => ({ time: alert.time, kind: alert.severity, label: alert.message })),
      ...state.snapshots.map((snapshot) => ({
        time: snapshot.time,
        kind: 'snapshot' as const,
        label: snapshot.file,
      })),
    ];
    const leak = state.verdicts.find((verdict) => verdict.leaking);
    if (leak !== undefined) list.push({ time: leak.time, kind: 'leak', label: leak.summary });
    return list;
  }, [state?.alerts, state?.snapshots, state?.verdicts]);

  const act = (kind: 'snapshot' | 'series') => {
    if (selection === null) return;
    setActionError(null);
    api.act(selection.pid, kind).then(
      (action) =>
        setState((previous) =>
          previous === null
            ? previous
            : applyEvent(previous, { type: 'action', runId: selection.runId, pid: selection.pid, action }),
        ),
      (error: Error) => setActionError(error.message),
    );
  };

  const allProcesses = runs.flatMap((candidate) =>
    candidate.processes.map((entry) => ({ run: candidate, process: entry })),
  );
  const tone = headline(state?.verdict ?? null).tone;
  return (
    <div class={`page tone-${tone}`}>
      <header class="top">
        <div class="brand">memwatcher</div>
        <div class="what">
          <span class="command mono" title={process?.command.join(' ') ?? info?.title}>
            {process !== undefined && process.command.length > 0
              ? process.command.join(' ')
              : (info?.title ?? '')}
          </span>
          {process !== undefined && (
            <span class="meta">
              pid {process.pid} ·{' '}
              {process.method === 'proc'
                ? 'watched from outside (/proc)'
                : process.method === 'inspector'
                  ? 'through the inspector'
                  : process.method === 'in-process'
                    ? 'in-process'
                    : 'agent'}
              {process.nodeVersion !== null && ` · Node ${process.nodeVersion}`}
              {process.exit !== null &&
                ` · exited ${formatClock(process.exit.time)}${process.exit.exitCode !== null ? ` with code ${process.exit.exitCode}` : ''}${process.exit.signal !== null ? ` (${process.exit.signal})` : ''}`}
            </span>
          )}
        </div>
        {allProcesses.length > 1 && (
          <select
            aria-label="Process"
            value={selection === null ? '' : `${selection.runId}:${selection.pid}`}
            onChange={(event) => {
              const [runId, pid] = (event.target as HTMLSelectElement).value.split(':').map(Number);
              setSelection({ runId: runId!, pid: pid! });
            }}
          >
            {allProcesses.map(({ run: entry, process: candidate }) => (
              <option value={`${entry.id}:${candidate.pid}`}>
                {info?.mode === 'history' ? `run ${entry.id} · ${formatClock(entry.startedAt)} · ` : ''}pid{' '}
                {candidate.pid} {candidate.command.slice(0, 3).join(' ')}
              </option>
            ))}
          </select>
        )}
        <span class={`connection ${connection}`} data-testid="connection">
          {connection === 'live'
            ? run?.live === false
              ? 'ended'
              : 'live'
            : connection === 'down'
              ? 'reconnecting…'
              : 'connecting…'}
        </span>
      </header>
      {problem !== null && <p class="banner error">{problem}</p>}
      {selection === null && connection === 'live' && (
        <p class="banner">Waiting for the watched process to report its first sample…</p>
      )}
      <VerdictPanel verdict={state?.verdict ?? null} jsFigures={jsFigures} />
      <FigureTiles buffer={buffer} process={process} />
      <section class="panel chart-panel">
        <h2>Memory</h2>
        <TimeCharts buffer={buffer} markers={markers} jsFigures={jsFigures} />
      </section>
      <div class="columns">
        <SnapshotsPanel
          process={process}
          history={info?.mode === 'history'}
          canAct={info?.snapshots === true && process?.canSnapshot === true}
          actions={state?.actions ?? []}
          snapshots={state?.snapshots ?? []}
          analyses={state?.analyses ?? []}
          selectedAnalysis={analysisId}
          onAct={act}
          onOpen={setAnalysisId}
          actionError={actionError}
        />
        <div class="stack">
          <AlertsPanel alerts={state?.alerts ?? []} />
          <GcPanel kinds={state?.gcKinds ?? []} recent={state?.gcEvents ?? []} jsFigures={jsFigures} />
          {state !== null && state.errors.length > 0 && (
            <section class="panel">
              <h2>memwatcher notes</h2>
              <ul class="notes">
                {state.errors
                  .slice(-10)
                  .reverse()
                  .map((error) => (
                    <li>
                      <span class="when">{formatClock(error.time)}</span>{' '}
                      <span class="mono">{error.code}</span> {error.message}
                    </li>
                  ))}
              </ul>
            </section>
          )}
        </div>
      </div>
      <AnalysisPanel
        analysis={analysis}
        loading={analysisLoading}
        stringsAllowed={info?.stringsAllowed === true}
        showStrings={showStrings}
        onShowStrings={setShowStrings}
      />
      <footer class="muted small">
        {info?.mode === 'history' ? 'History file' : 'Live'} · charts by uPlot, graphs by Cytoscape + dagre
        {info?.metrics === true && (
          <>
            {' '}
            · Prometheus metrics at <a href="/metrics">/metrics</a>
          </>
        )}
      </footer>
    </div>
  );
}
