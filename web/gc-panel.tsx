import type { DashboardGc, DashboardGcKind } from '../src/server/api-types.ts';
import { formatClock, formatCount, formatMs } from './format.ts';

function bucketLabel(bucket: { fromMs: number; toMs: number | null }): string {
  return bucket.toMs === null ? `≥ ${bucket.fromMs} ms` : `< ${bucket.toMs} ms`;
}

/** GC pauses by kind: how many, how long in total and at worst, and how they spread over durations. */
export function GcPanel(props: {
  kinds: readonly DashboardGcKind[];
  recent: readonly DashboardGc[];
  jsFigures: boolean;
}) {
  const { kinds } = props;
  const recent = [...props.recent].reverse().slice(0, 8);
  return (
    <section class="panel" data-testid="gc">
      <h2>GC pauses</h2>
      {!props.jsFigures ? (
        <p class="empty">
          GC pauses are known for Node processes watched through the agent or the inspector.
        </p>
      ) : kinds.length === 0 ? (
        <p class="empty">No major GC yet. Pauses of every kind are summed per sample in the chart above.</p>
      ) : (
        <>
          {kinds.map((kind) => {
            const highest = Math.max(1, ...kind.buckets.map((bucket) => bucket.count));
            return (
              <div class="gc-kind">
                <h3>
                  {kind.kind}{' '}
                  <span class="muted">
                    {formatCount(kind.count)} pause{kind.count === 1 ? '' : 's'}
                  </span>
                </h3>
                <dl class="inline">
                  <dt>total</dt>
                  <dd>{formatMs(kind.totalPauseMs)}</dd>
                  <dt>mean</dt>
                  <dd>{formatMs(kind.totalPauseMs / Math.max(1, kind.count))}</dd>
                  <dt>longest</dt>
                  <dd>{formatMs(kind.maxPauseMs)}</dd>
                </dl>
                <div class="histogram" role="img" aria-label={`${kind.kind} GC pause durations`}>
                  {kind.buckets.map((bucket) => (
                    <div class="bar" title={`${bucketLabel(bucket)}: ${bucket.count}`}>
                      <span class="fill" style={{ height: `${(bucket.count / highest) * 100}%` }} />
                      <span class="label">{bucket.toMs === null ? `${bucket.fromMs}+` : bucket.toMs}</span>
                    </div>
                  ))}
                </div>
                <p class="axis-note">pause duration, ms (upper bound of each bucket)</p>
              </div>
            );
          })}
          {recent.length > 0 && (
            <table class="compact">
              <caption>Latest</caption>
              <tbody>
                {recent.map((gc) => (
                  <tr>
                    <td>{formatClock(gc.time)}</td>
                    <td>{gc.kind}</td>
                    <td class="num">{formatMs(gc.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
