import type { DashboardAlert } from '../src/server/api-types.ts';
import { formatClock } from './format.ts';

/** Alerts fired, the most recent first. */
export function AlertsPanel(props: { alerts: readonly DashboardAlert[] }) {
  const alerts = [...props.alerts].reverse().slice(0, 50);
  return (
    <section class="panel" data-testid="alerts">
      <h2>
        Alerts <span class="badge">{props.alerts.length}</span>
      </h2>
      {alerts.length === 0 ? (
        <p class="empty">No alert has fired.</p>
      ) : (
        <ul class="alerts">
          {alerts.map((alert) => (
            <li class={`alert ${alert.severity}`}>
              <span class="when">{formatClock(alert.time)}</span>
              <span class="severity">{alert.severity}</span>
              <span class="message">{alert.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
