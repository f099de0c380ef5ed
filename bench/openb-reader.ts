/** Throughput of the openb readers on a big pod list: `npx tsx bench/openb-reader.ts <pods.csv>`. */
import { openbPodRows, readOpenb } from '../traces/openb/index.js';

const file = process.argv[2]!;
let t = performance.now();
let n = 0;
for await (const _ of openbPodRows(file)) n++;
const rowsS = n / ((performance.now() - t) / 1000);
t = performance.now();
let m = 0;
for await (const _ of readOpenb({ pods: file }).records) m++;
const recS = n / ((performance.now() - t) / 1000);
console.log(
  `${n} rows: rows ${Math.round(rowsS)} rows/s; records (time-faithful, ${m} records) ${Math.round(recS)} pod rows/s; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
);
