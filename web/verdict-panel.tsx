import type { DashboardTrend, DashboardVerdict } from '../src/server/api-types.ts';
import { formatBytes, formatConfidence, formatDuration, formatGrowth } from './format.ts';

const WHERE = {
  'js-heap': 'the JS heap',
  external: 'external memory (Buffers, ArrayBuffers)',
  native: 'native memory',
} as const;

const FIGURE_NAMES = {
  heap: 'heap floor after GC',
  external: 'external memory',
  rss: 'RSS',
  native: 'native memory',
} as const;

type FigureKey = keyof typeof FIGURE_NAMES;

const ALL_FIGURES: readonly FigureKey[] = ['heap', 'external', 'rss', 'native'];
/** Which figure leads the headline when several are equally worrying. */
const LEAD_ORDER: readonly FigureKey[] = ['heap', 'external', 'native', 'rss'];
// A process read through /proc has RSS only: heap, external and native memory are never judged, and
// listing them as "not judged yet" would promise figures that cannot come.
const PROC_FIGURES: readonly FigureKey[] = ['rss'];

const CULPRIT_FIGURE = { 'js-heap': 'heap', external: 'external', native: 'native' } as const;

/**
 * The figure the headline talks about: the culprit, else the most worrying one. Through /proc the
 * culprit of RSS growth is `native` (RSS minus an unknown heap is all of RSS): it is shown as RSS.
 */
function leadingFigure(verdict: DashboardVerdict, figures: readonly FigureKey[]): FigureKey {
  const culprit = verdict.culprit === null ? undefined : CULPRIT_FIGURE[verdict.culprit];
  if (culprit !== undefined && figures.includes(culprit)) return culprit;
  const rank = { leak: 4, growing: 3, stable: 2, 'insufficient-data': 1, 'warming-up': 0 } as const;
  const candidates = LEAD_ORDER.filter((key) => figures.includes(key));
  return candidates.reduce(
    (best, key) => (rank[verdict[key].status] > rank[verdict[best].status] ? key : best),
    candidates[0]!,
  );
}

export function headline(
  verdict: DashboardVerdict | null,
  jsFigures = true,
): { tone: string; title: string } {
  if (verdict === null) return { tone: 'pending', title: 'No verdict yet' };
  // Through /proc only RSS is judged: its leak is a leak of the process' memory, and "so far" waits on
  // no heap verdict.
  const judged = jsFigures ? verdict.heap.status : verdict.rss.status;
  switch (verdict.status) {
    case 'leak':
      return {
        tone: 'leak',
        title: jsFigures
          ? `Leak in ${WHERE[verdict.culprit ?? 'js-heap']}`
          : 'Leak: the process keeps growing (RSS)',
      };
    case 'growing':
      return { tone: 'growing', title: 'Growing, not a leak (yet)' };
    case 'stable':
      return {
        tone: 'ok',
        title: judged === 'insufficient-data' || judged === 'warming-up' ? 'No leak so far' : 'No leak',
      };
    case 'warming-up':
      return { tone: 'pending', title: 'Warming up' };
    default:
      return { tone: 'pending', title: 'Not enough data for a verdict' };
  }
}

function detail(verdict: DashboardVerdict, key: FigureKey, figures: readonly FigureKey[]): string {
  const growth = formatGrowth(verdict[key].growthBytesPerMinute);
  switch (verdict.status) {
    case 'leak':
      return `The ${FIGURE_NAMES[key]} keeps growing: ${growth}, sustained over the verdict window.`;
    case 'growing':
      return `The ${FIGURE_NAMES[key]} grows ${growth}, but not for long enough to call it a leak: a cache being filled looks like this until it levels off.`;
    case 'stable': {
      const unjudged = figures.filter(
        (figure) => verdict[figure].status === 'insufficient-data' || verdict[figure].status === 'warming-up',
      );
      return unjudged.length === 0
        ? 'Memory after garbage collection is stable: no significant, sustained growth.'
        : `No significant, sustained growth so far; not judged yet: ${unjudged.map((figure) => FIGURE_NAMES[figure]).join(', ')} (too few points in the window).`;
    }
    case 'warming-up':
      return 'Startup is not judged: caches fill and code compiles. The verdict follows the warm-up.';
    default:
      return 'Too few points in the window yet (for the JS heap: too few major GCs).';
  }
}

/** The leak verdict: what it says, how fast the leading figure grows, and how sure it is. */
export function VerdictPanel(props: { verdict: DashboardVerdict | null; jsFigures: boolean }) {
  const { verdict } = props;
  const { tone, title } = headline(verdict, props.jsFigures);
  const figures = props.jsFigures ? ALL_FIGURES : PROC_FIGURES;
  const key = verdict === null ? figures[0]! : leadingFigure(verdict, figures);
  const trend: DashboardTrend | undefined = verdict?.[key];
  return (
    <section class={`verdict ${tone}`} aria-live="polite" data-testid="verdict">
      <div class="verdict-main">
        <p class="title">{title}</p>
        <p class="detail" title={verdict?.summary ?? ''}>
          {verdict === null
            ? props.jsFigures
              ? 'The verdict comes once the warm-up is over and enough major GCs were seen.'
              : 'The verdict comes once the warm-up is over.'
            : detail(verdict, key, figures)}
        </p>
      </div>
      {verdict !== null && trend !== undefined && (
        <dl class="verdict-figures">
          <div>
            <dt>{FIGURE_NAMES[key]} grows</dt>
            <dd data-testid="growth">{formatGrowth(trend.growthBytesPerMinute)}</dd>
          </div>
          <div>
            <dt>confidence</dt>
            <dd>{formatConfidence(trend.confidence)}</dd>
          </div>
          {verdict.timeToHeapLimitMs !== null && (
            <div>
              <dt>heap limit reached in</dt>
              <dd>~{formatDuration(verdict.timeToHeapLimitMs)}</dd>
            </div>
          )}
          <div>
            <dt>latest {FIGURE_NAMES[key]}</dt>
            <dd>{formatBytes(trend.latestBytes)}</dd>
          </div>
        </dl>
      )}
      {verdict !== null && (
        <ul class="trend-list" aria-label="Each figure's trend">
          {figures.map((figure) => (
            <li class={`trend ${verdict[figure].status}`}>
              <span class="name">{FIGURE_NAMES[figure]}</span>
              <span class="status">{verdict[figure].status}</span>
              <span class="rate">{formatGrowth(verdict[figure].growthBytesPerMinute)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
