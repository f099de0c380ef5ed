/** Reports: folds of the event log into summary, CSV files and HTML. */
export * from './types.js';
export { ReportFold, TRACKED_RESOURCES, DEFAULT_BUCKET_SECONDS, DEFAULT_MAX_ATTEMPT_ROWS } from './fold.js';
export type { ReportFoldOptions } from './fold.js';
export { nearestRank, round6, fixed, flattenSummary } from './format.js';
export { writeRunReports, writeCompareCsv, compareRows, runCsvFiles, controlPlaneRows } from './csv.js';
export type { CompareRow } from './csv.js';
export { renderRunHtml, renderCompareHtml, compareRunOf } from './html.js';
export type { CompareRun } from './html.js';
export { writeFileSet } from './files.js';
export type { OutputFile } from './files.js';
export { foldLogFile, writeRunOutputs, trailerOf, RUN_REPORT_FILES } from './run.js';
export { mean, sampleSd, ci95HalfWidth, studentTQuantile } from './stats.js';
