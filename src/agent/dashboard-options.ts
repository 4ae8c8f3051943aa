/**
 * Options and handle of `watcher.serve()`. Types only: the agent loads the dashboard server
 * (`src/server/serve-watcher.ts`) with a dynamic `import()` when, and only when, `serve()` is called.
 */

export interface DashboardServeOptions {
  /** 0 picks a free port (read it back from the handle's `port`). */
  readonly port: number;
  /** Default `127.0.0.1`. Anything else exposes the dashboard (behind its token) to the network. */
  readonly host?: string;
  /** Default: a new random token; open `openUrl` (it carries the token) to get in. */
  readonly token?: string;
  /** Let the page show heap-derived names unredacted when the user asks. Default false. */
  readonly showStrings?: boolean;
  /** Where the page's heap snapshots go (created 0700). Default: the current directory. */
  readonly snapshotDir?: string;
  /** Serve `/metrics` (Prometheus) on the same server. Default true. */
  readonly metrics?: boolean;
}

export interface ServedDashboard {
  /** `http://127.0.0.1:8080/` */
  readonly url: string;
  /** The URL to open: it carries the token, which the page trades for a cookie. */
  readonly openUrl: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** Stops serving and detaches from the watcher (the watcher keeps running). */
  close(): Promise<void>;
}
