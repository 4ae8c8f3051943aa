import { allocationChartSpec, siteLabel } from './allocation-chart.ts';
import { formatLocation, formatRetainerPath } from './analysis-text.ts';
import { buildReport, type Report } from './build-report.ts';
import { classesChartSpec, suspectClassNames } from './classes-chart.ts';
import { escapeXml as esc } from './escape.ts';
import { GC_KIND_COLORS, gcPauseChartSpec } from './gc-chart.ts';
import { memoryChartSpec, TOOLTIP_LAYERS } from './memory-chart.ts';
import { REPORT_CSS } from './report-html-style.ts';
import type { LeakSuspect, ReportModel } from './report-model.ts';
import {
  FIGURE_WORDS,
  formatBytes,
  formatClock,
  formatCommand,
  formatCount,
  formatDuration,
  formatGrowth,
  formatPause,
  formatPercent,
  noSuspectsReason,
  runFacts,
  verdictHeadline,
} from './report-wording.ts';
import { layoutRetainerGraph, retainerGraph } from './retainer-graph.ts';
import { retainerGraphSvg } from './retainer-graph-svg.ts';
import { renderVegaLiteSvg } from './vega-render.ts';

export interface HtmlReportOptions {
  /** Rows in the class and allocation tables, suspects shown. Default 15. */
  readonly top?: number;
  /** When the report was made (ms since epoch); default now. */
  readonly generatedAt?: number;
  /** Vega's warnings about chart specs; silent by default. */
  readonly onWarning?: (message: string) => void;
}

/**
 * The whole report as one self-contained HTML page: styles inline, charts and retainer graphs as
 * inline SVG drawn here (no script, no network, nothing to load). Heap string values never appear:
 * the model is redacted first.
 *
 * @example
 * writeFileSync('report.html', await renderReportHtml(model));
 */
export async function renderReportHtml(model: ReportModel, options: HtmlReportOptions = {}): Promise<string> {
  const report = buildReport(model);
  const top = options.top ?? 15;
  const render = async (idPrefix: string, spec: Parameters<typeof renderVegaLiteSvg>[0] | null) =>
    spec === null
      ? null
      : renderVegaLiteSvg(spec, {
          idPrefix,
          titledLayers: TOOLTIP_LAYERS,
          ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        });
  // The memory chart twice: wide, and narrow for small screens (CSS shows one), since a chart scaled
  // down to a phone's width has unreadable labels and a scrolled one hides its end.
  const [memory, memoryNarrow, gc, classes, allocations] = await Promise.all([
    render('memory', memoryChartSpec(report)),
    render('memory-narrow', memoryChartSpec(report, { width: 480, height: 260 })),
    render('gc', gcPauseChartSpec(report)),
    render('classes', classesChartSpec(report, { top: Math.min(top, 15) })),
    render('allocations', allocationChartSpec(report, { top: Math.min(top, 12) })),
  ]);
  const headline = verdictHeadline(report);
  const title = `memwatcher report: ${headline.title} · ${programName(report)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="memwatcher">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${runHeader(report)}
<div class="verdict ${headline.tone}" id="verdict"><p class="title">${esc(headline.title)}</p><p class="detail">${esc(headline.detail)}</p></div>
${figures(report)}
${memorySection(report, memory, memoryNarrow)}
${suspectsSection(report, top)}
${classesSection(report, classes, top)}
${gcSection(report, gc)}
${alertsSection(report)}
${allocationsSection(report, allocations, top)}
${snapshotsSection(report)}
<footer>Made by memwatcher on ${esc(formatClock(options.generatedAt ?? Date.now()))}. Sizes in base 1000 (1 MB = 1,000,000 bytes), as in DevTools. String values from the heap are never included: strings appear by length, and property names that look like data by their length.</footer>
</body>
</html>
`;
}

function programName(report: Report): string {
  const command = report.run.command;
  // `node app.js …`: the script says more than the runtime.
  const script = command.find((arg, index) => index > 0 && !arg.startsWith('-'));
  const name = (script ?? command[0] ?? 'process').split(/[\\/]/).at(-1) ?? 'process';
  return report.run.pid === null ? name : `${name} (pid ${report.run.pid})`;
}

function runHeader(report: Report): string {
  const run = report.run;
  const meta = runFacts(run);
  return `<header class="run"><h1><b>memwatcher</b> report</h1><span class="command">${esc(
    formatCommand(run.command),
  )}</span><span class="meta">${esc(meta.join(' · '))}</span></header>`;
}

function figures(report: Report): string {
  const { figures: stats } = report.memory;
  const tiles: string[] = [];
  const tile = (label: string, value: string, note: string, bad = false) =>
    tiles.push(
      `<div class="figure${bad ? ' bad' : ''}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`,
    );
  if (stats.rss !== undefined)
    tile('Peak RSS', formatBytes(stats.rss.peak), `${formatBytes(stats.rss.first)} at start`);
  if (stats.heapFloor !== undefined) {
    tile(
      'Heap floor after GC',
      formatBytes(stats.heapFloor.last),
      `${formatBytes(stats.heapFloor.first)} after the first major GC`,
      report.verdict.final?.culprit === 'js-heap',
    );
  }
  const verdict = report.verdict.final;
  if (verdict !== null && verdict.growthBytesPerMinute !== null) {
    const figure = FIGURE_WORDS[verdict.figure];
    tile(
      `Trend of ${figure === 'RSS' ? figure : figure.replace(/ after GC$/, '')}`,
      formatGrowth(verdict.growthBytesPerMinute),
      verdict.confidence === null
        ? 'trend of the judged figure'
        : `confidence ${formatPercent(verdict.confidence)}`,
      verdict.leaking,
    );
  }
  if (stats.external !== undefined)
    tile('External memory', formatBytes(stats.external.last), `peak ${formatBytes(stats.external.peak)}`);
  if (report.gc.pauseShare !== null && report.gc.pauseMs !== null) {
    tile('Time in GC', formatPercent(report.gc.pauseShare), `${formatDuration(report.gc.pauseMs)} paused`);
  }
  if (report.alerts.length > 0)
    tile(
      'Alerts',
      formatCount(report.alerts.length),
      `${report.alerts.filter((a) => a.severity === 'critical').length} critical`,
    );
  return tiles.length === 0 ? '' : `<div class="figures">${tiles.join('')}</div>`;
}

function memorySection(report: Report, svg: string | null, narrow: string | null): string {
  const body =
    svg === null
      ? '<p class="empty">No memory samples were recorded.</p>'
      : `<div class="chart" id="memory-chart"><div class="wide">${svg}</div><div class="narrow">${narrow ?? ''}</div></div>${memoryKey(report)}`;
  return `<section id="memory"><h2>Memory over time</h2><p class="sub">The heap floor (JS heap left after each major GC) is what the leak verdict judges: a sawtooth above it is normal, a floor that keeps rising is not. Hover the chart, an alert or a snapshot for its figures.</p>${body}</section>`;
}

function memoryKey(report: Report): string {
  const entries: string[] = [];
  const statuses = new Set(report.verdict.history.map((verdict) => verdict.status));
  if (statuses.has('leak')) entries.push('<span class="band-leak">judged a leak</span>');
  if (report.verdict.leakCalledAt !== null) entries.push('<span class="leak-mark">leak called</span>');
  if (statuses.has('growing')) entries.push('<span class="band-growing">judged growing</span>');
  if (report.alerts.length > 0)
    entries.push(`<span class="alert-mark">alert (${report.alerts.length})</span>`);
  if (report.snapshots.length > 0)
    entries.push(`<span class="snapshot-mark">heap snapshot (${report.snapshots.length})</span>`);
  return entries.length === 0 ? '' : `<div class="key">${entries.join('')}</div>`;
}

function suspectsSection(report: Report, top: number): string {
  if (report.suspects.length === 0) {
    return `<section id="suspects"><h2>Leak suspects</h2><p class="empty">${esc(noSuspectsReason(report))}</p></section>`;
  }
  const shown = report.suspects.slice(0, top);
  const overview =
    shown.length > 1
      ? `<h3>All suspects' retainer paths</h3><p class="sub">Shared holders are drawn once: where paths meet is where leaks share an owner.</p><div class="graph">${retainerGraphSvg(
          layoutRetainerGraph(retainerGraph(shown)),
          { idPrefix: 'overview', title: 'Retainer paths of all leak suspects' },
        )}</div>`
      : '';
  const cards = shown.map((suspect, index) => suspectCard(suspect, index)).join('');
  const more =
    report.suspects.length > shown.length
      ? `<p class="sub">… and ${report.suspects.length - shown.length} more.</p>`
      : '';
  return `<section id="suspects"><h2>Leak suspects</h2><p class="sub">Objects that kept accumulating across heap snapshots and are still alive, by retained size, with who holds them: the path from a GC root.</p>${cards}${more}${overview}</section>`;
}

function suspectCard(suspect: LeakSuspect, index: number): string {
  const name = suspect.type === 'closure' ? `${suspect.name}()` : suspect.name;
  // [term, value as HTML]
  const facts: [string, string][] = [
    ['count per snapshot', esc(suspect.growth.map(formatCount).join(' → '))],
  ];
  if (suspect.retainedGrowth !== undefined && suspect.retainedGrowth.length > 0) {
    facts.push(['retained per snapshot', esc(suspect.retainedGrowth.map(formatBytes).join(' → '))]);
  }
  if (suspect.accumulatesIn !== undefined) {
    const owner = suspect.accumulatesIn;
    facts.push([
      'accumulates in',
      `<code>${esc(owner.name)} @${owner.nodeId}</code>${owner.edge === '' ? '' : ` reached through <code>${esc(owner.edge)}</code>`}`,
    ]);
  }
  if (suspect.location !== undefined)
    facts.push(['defined at', `<code>${esc(formatLocation(suspect.location))}</code>`]);
  if (suspect.owners !== undefined && suspect.owners > 1) {
    facts.push(['same leak in', `${formatCount(suspect.owners)} places with the same retainer path`]);
  }
  if (suspect.classes !== undefined && suspect.classes.length > 1) {
    facts.push([
      'classes',
      suspect.classes
        .map(
          (entry) =>
            `<code>${esc(entry.name)}</code> ${esc(`${formatCount(entry.count)} (${formatBytes(entry.retainedSize)})`)}`,
        )
        .join(', '),
    ]);
  }
  const rows = facts.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('');
  const graph = retainerGraphSvg(layoutRetainerGraph(retainerGraph([suspect])), {
    idPrefix: `graph-${index + 1}`,
    title: `Retainer path of ${name}`,
  });
  return `<div class="suspect" id="suspect-${index + 1}"><h3>${index + 1}. <span class="mono">${esc(name)}</span> <span class="count">${esc(
    formatCount(suspect.count),
  )} alive, retaining ${esc(formatBytes(suspect.retainedSize))}</span></h3><div class="suspect-body"><div><dl>${rows}</dl><details><summary>Retainer path as text</summary><pre>${esc(
    formatRetainerPath(suspect.retainerPath, 72),
  )}</pre></details></div><div class="graph">${graph}</div></div></div>`;
}

function classesSection(report: Report, svg: string | null, top: number): string {
  if (report.classes.length === 0) return '';
  const suspects = suspectClassNames(report);
  const bySize = report.classes.some((entry) => entry.retainedSize !== null);
  const rows = report.classes
    .slice(0, top)
    .map((entry) => {
      const delta = (value: number | null, format: (n: number) => string) =>
        value === null
          ? '<td class="num">–</td>'
          : `<td class="num ${value > 0 ? 'grew' : value < 0 ? 'shrank' : ''}">${value > 0 ? '+' : ''}${esc(format(value))}</td>`;
      return `<tr><td><code>${esc(entry.name)}</code>${suspects.has(entry.name) ? ' <span class="sev critical">suspect</span>' : ''}</td><td>${esc(
        entry.type ?? '',
      )}</td><td class="num">${formatCount(entry.count)}</td>${delta(entry.countDelta, formatCount)}<td class="num">${
        entry.selfSize === null ? '–' : formatBytes(entry.selfSize)
      }</td>${delta(entry.selfSizeDelta, formatBytes)}<td class="num">${entry.retainedSize === null ? '–' : formatBytes(entry.retainedSize)}</td></tr>`;
    })
    .join('');
  const what = bySize
    ? 'Classes in the last heap snapshot by retained size, and how their own size changed since the first snapshot.'
    : 'Classes counted by the census, and how many instances they gained.';
  return `<section id="classes"><h2>Top classes</h2><p class="sub">${esc(what)}</p>${svg === null ? '' : `<div class="chart">${svg}</div>`}<details><summary>Table</summary><table><thead><tr><th>class</th><th>type</th><th class="num">count</th><th class="num">Δ count</th><th class="num">self size</th><th class="num">Δ self size</th><th class="num">retained size</th></tr></thead><tbody>${rows}</tbody></table></details></section>`;
}

function gcSection(report: Report, svg: string | null): string {
  const { gc } = report;
  if (gc.collections === null && gc.byKind.length === 0) return '';
  const totals =
    gc.collections === null
      ? ''
      : `<p>${formatCount(gc.collections)} collections paused the program for ${esc(formatDuration(gc.pauseMs ?? 0))}${
          gc.pauseShare === null ? '' : ` (${formatPercent(gc.pauseShare)} of the run)`
        }.</p>`;
  const recorded = gc.byKind.reduce((sum, kind) => sum + kind.count, 0);
  const note =
    gc.collections !== null && recorded < gc.collections
      ? `<p class="sub">Pauses are recorded one by one for ${formatCount(recorded)} of them (the agent reports major GCs individually; minor ones only as totals).</p>`
      : '';
  const rows = gc.byKind
    .map(
      (kind) =>
        `<tr><td class="kind"><span class="swatch" style="background:${GC_KIND_COLORS[kind.kind]}"></span>${esc(
          kind.kind,
        )}</td><td class="num">${formatCount(kind.count)}</td><td class="num">${esc(formatPause(kind.totalPauseMs))}</td><td class="num">${esc(
          formatPause(kind.medianMs),
        )}</td><td class="num">${esc(formatPause(kind.p95Ms))}</td><td class="num">${esc(formatPause(kind.maxMs))}</td></tr>`,
    )
    .join('');
  const table =
    rows === ''
      ? '<p class="empty">No individual GC pauses were recorded.</p>'
      : `<table><thead><tr><th>kind</th><th class="num">pauses</th><th class="num">total</th><th class="num">median</th><th class="num">p95</th><th class="num">longest</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section id="gc"><h2>Garbage collection</h2>${totals}${note}${svg === null ? '' : `<div class="chart">${svg}</div>`}${table}</section>`;
}

/** Alerts listed before the rest fold away: a long run can raise hundreds. */
const ALERTS_SHOWN = 8;

function alertsSection(report: Report): string {
  if (report.alerts.length === 0) return '';
  const row = (alert: Report['alerts'][number]) =>
    `<tr><td class="num" title="${esc(formatClock(alert.time))}">+${esc(formatDuration(alert.time - report.run.startedAt))}</td><td><span class="sev ${alert.severity}">${esc(
      alert.severity,
    )}</span></td><td><code>${esc(alert.rule)}</code></td><td>${esc(alert.message)}</td></tr>`;
  const head =
    '<thead><tr><th class="num">when</th><th>severity</th><th>rule</th><th>message</th></tr></thead>';
  const first = report.alerts.slice(0, ALERTS_SHOWN).map(row).join('');
  const rest = report.alerts.slice(ALERTS_SHOWN);
  const more =
    rest.length === 0
      ? ''
      : `<details><summary>${rest.length} more alert${rest.length === 1 ? '' : 's'}</summary><table>${head}<tbody>${rest
          .map(row)
          .join('')}</tbody></table></details>`;
  return `<section id="alerts"><h2>Alerts</h2><p class="sub">As the agent sent them to the alert sinks (its messages count 1 MB as 1,048,576 bytes).</p><table>${head}<tbody>${first}</tbody></table>${more}</section>`;
}

function allocationsSection(report: Report, svg: string | null, top: number): string {
  if (report.allocationSites.length === 0) return '';
  const rows = report.allocationSites
    .slice(0, top)
    .map(
      (site) =>
        `<tr><td><code>${esc(siteLabel(site))}</code><details><summary>stack</summary><pre>${esc(
          site.stack
            .map((frame) => `${frame.functionName} ${frame.url}:${frame.line}:${frame.column}`)
            .join('\n'),
        )}</pre></details></td><td class="num">${esc(formatBytes(site.liveBytes))}</td><td class="num">${formatCount(site.samples)}</td></tr>`,
    )
    .join('');
  return `<section id="allocations"><h2>Allocation sites</h2><p class="sub">Where the live memory was allocated, from V8's sampling heap profiler (an estimate: one sample per so many bytes). Lines are where the function starts.</p>${
    svg === null ? '' : `<div class="chart">${svg}</div>`
  }<table><thead><tr><th>function</th><th class="num">live</th><th class="num">samples</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function snapshotsSection(report: Report): string {
  if (report.snapshots.length === 0) return '';
  const rows = report.snapshots
    .map(
      (snapshot) =>
        `<tr><td class="num">+${esc(formatDuration(snapshot.time - report.run.startedAt))}</td><td>${esc(snapshot.reason)}</td><td><code>${esc(
          snapshot.file,
        )}</code></td><td class="num">${esc(formatBytes(snapshot.bytes))}</td></tr>`,
    )
    .join('');
  return `<section id="snapshots"><h2>Heap snapshots</h2><table><thead><tr><th class="num">when</th><th>why</th><th>file</th><th class="num">size</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
