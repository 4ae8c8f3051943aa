import type {
  ActionKind,
  DashboardAction,
  DashboardAnalysis,
  DashboardEvent,
  DashboardEventType,
  DashboardInfo,
  DashboardRun,
  ProcessState,
  SampleColumns,
} from '../src/server/api-types.ts';

class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (response.status === 401) {
    throw new ApiError(
      401,
      'This page no longer has the dashboard’s token (memwatcher restarted?): open the URL it printed.',
    );
  }
  if (!response.ok) throw new ApiError(response.status, body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

function query(params: Record<string, number | string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  return search.toString();
}

export const api = {
  info: () => getJson<DashboardInfo>('/api/info'),
  runs: () => getJson<DashboardRun[]>('/api/runs'),
  samples: (run: number, pid: number, range: { from?: number; to?: number; maxPoints: number }) =>
    getJson<SampleColumns>(`/api/samples?${query({ run, pid, ...range })}`),
  state: (run: number, pid: number) => getJson<ProcessState>(`/api/state?${query({ run, pid })}`),
  analysis: (id: number, strings: boolean) =>
    getJson<DashboardAnalysis>(`/api/analyses/${id}${strings ? '?strings=1' : ''}`),
  async act(pid: number, kind: ActionKind): Promise<DashboardAction> {
    const response = await fetch('/api/actions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ pid, kind }),
    });
    const body = (await response.json().catch(() => ({}))) as DashboardAction & { error?: string };
    if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`);
    return body;
  },
};

const EVENT_TYPES: readonly DashboardEventType[] = [
  'sample',
  'gc',
  'verdict',
  'alert',
  'snapshot',
  'analysis',
  'action',
  'error',
  'runs',
];

/**
 * The server's event stream. `onOpen` runs on every (re)connection: the page refetches what it may
 * have missed. The browser reconnects by itself after a drop.
 */
export function openEvents(handlers: {
  onEvent: (event: DashboardEvent) => void;
  onOpen: () => void;
  onDown: () => void;
}): () => void {
  const source = new EventSource('/api/events');
  source.addEventListener('open', handlers.onOpen);
  source.addEventListener('error', handlers.onDown);
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      try {
        handlers.onEvent(JSON.parse((message as MessageEvent<string>).data) as DashboardEvent);
      } catch (error) {
        console.error('memwatcher: bad event', error);
      }
    });
  }
  return () => source.close();
}
