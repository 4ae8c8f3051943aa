import { buildReport } from './build-report.ts';
import type { ReportModel } from './report-model.ts';

/**
 * The report for scripts: `buildReport`'s result as JSON (`format: 'memwatcher-report'`,
 * `version: 1`), redacted like every other form. Fields are added in later versions, never removed
 * or renamed without a new `version`.
 *
 * @example
 * process.stdout.write(renderReportJson(model));
 * // jq '.verdict.final.status, .suspects[0].name'
 */
export function renderReportJson(model: ReportModel, options: { pretty?: boolean } = {}): string {
  return `${JSON.stringify(buildReport(model), null, options.pretty === false ? undefined : 2)}\n`;
}
