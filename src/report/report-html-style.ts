/** The report's stylesheet, inlined into the page (the report must open without network). */
export const REPORT_CSS = `
:root {
  --ink: #20242c; --muted: #5d6675; --faint: #8a93a3; --line: #e3e6eb; --page: #f5f6f8; --card: #fff;
  --leak: #c0262d; --leak-bg: #fdecea; --warn: #a86800; --warn-bg: #fff5e0; --ok: #2e7d43; --ok-bg: #e9f6ec;
  --pending: #5d6675; --pending-bg: #eef0f4; --accent: #3d6fa8;
  --mono: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace;
}
* { box-sizing: border-box; }
html { background: var(--page); }
body {
  margin: 0 auto; max-width: 1040px; padding: 28px 24px 48px; color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', 'Liberation Sans', sans-serif;
  font-variant-numeric: tabular-nums;
}
h1 { font-size: 15px; font-weight: 600; margin: 0; color: var(--muted); letter-spacing: .02em; }
h1 b { color: var(--ink); }
h2 { font-size: 17px; margin: 0 0 2px; }
h3 { font-size: 15px; margin: 0; }
p { margin: 6px 0; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
.sub { color: var(--muted); margin: 0 0 12px; }
header.run { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: baseline; margin-bottom: 14px; }
header.run .command { font-family: var(--mono); font-size: 13px; color: var(--ink); word-break: break-all; }
header.run .meta { color: var(--muted); font-size: 13px; }
section, .verdict { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 14px 0; }
.verdict { border-left: 6px solid var(--pending); background: var(--pending-bg); }
.verdict .title { font-size: 22px; font-weight: 700; margin: 0; }
.verdict .detail { margin: 4px 0 0; font-size: 15px; }
.verdict.leak { border-left-color: var(--leak); background: var(--leak-bg); }
.verdict.leak .title { color: var(--leak); }
.verdict.growing { border-left-color: #e0a100; background: var(--warn-bg); }
.verdict.growing .title { color: var(--warn); }
.verdict.ok { border-left-color: var(--ok); background: var(--ok-bg); }
.verdict.ok .title { color: var(--ok); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(145px, 1fr)); gap: 10px; margin: 14px 0; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.figure .label { color: var(--muted); font-size: 12px; }
.figure .value { font-size: 16px; font-weight: 650; white-space: nowrap; }
.figure .note { color: var(--muted); font-size: 12px; }
.figure.bad .value { color: var(--leak); }
.chart { overflow-x: auto; margin-top: 8px; }
.chart svg { display: block; max-width: 100%; height: auto; }
#memory-chart .narrow { display: none; }
@media (max-width: 760px) { #memory-chart .wide { display: none; } #memory-chart .narrow { display: block; } }
/* The memory chart's hover strips: the one under the pointer lights up, its <title> shows the figures. */
g.hover_targets_marks path:hover { fill-opacity: .1; }
g.alerts_marks path, g.snapshots_marks path { cursor: help; }
.key { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 12.5px; margin-top: 4px; }
.key span::before { content: ''; display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
.key .band-leak::before { background: rgba(214, 69, 61, .18); }
.key .band-growing::before { background: rgba(246, 195, 68, .3); }
.key .alert-mark::before { width: 0; height: 0; border-radius: 0; border: 6px solid transparent; border-top: 9px solid #e08a00; border-bottom: 0; }
.key .snapshot-mark::before { width: 9px; height: 9px; transform: rotate(45deg); background: #5b3fa8; border-radius: 1px; }
.key .leak-mark::before { width: 0; height: 12px; border-left: 2px dashed #b3261e; border-radius: 0; }
.suspect { border-top: 1px solid var(--line); padding-top: 16px; margin-top: 16px; }
.suspect:first-of-type { border-top: 0; padding-top: 4px; margin-top: 8px; }
.suspect h3 .count { color: var(--leak); }
.suspect dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
.suspect dt { color: var(--muted); }
.suspect dd { margin: 0; }
.suspect-body { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, auto); gap: 8px 24px; align-items: start; }
@media (max-width: 820px) { .suspect-body { grid-template-columns: 1fr; } }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; background: #fff; padding: 6px; margin-top: 8px; }
.graph svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--accent); }
pre { font-family: var(--mono); font-size: 12px; white-space: pre-wrap; background: #f7f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 6px 0 0; }
table { border-collapse: collapse; width: 100%; margin-top: 10px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.kind { white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
td.grew { color: var(--leak); }
td.shrank { color: var(--ok); }
.sev { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px; font-weight: 600; }
.sev.warning { background: var(--warn-bg); color: var(--warn); }
.sev.critical { background: var(--leak-bg); color: var(--leak); }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--faint); font-size: 12px; margin-top: 22px; }
@media print { html { background: #fff; } section, .figure { break-inside: avoid; } }
`;
