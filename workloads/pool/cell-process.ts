/**
 * Child-process entry of a cell pool (run-cells.ts, `isolation: 'processes'`): loads the cell module
 * named by its first argument (a file URL whose default export runs one cell, as for a piscina
 * worker), then runs the tasks its parent sends over IPC one at a time and answers each.
 *
 * Messages (structured clone, `serialization: 'advanced'`): parent → child `{ id, task }`;
 * child → parent `{ ready: true }` once loaded, then `{ id, result }` or `{ id, error }`.
 */
type CellFunction = (task: unknown) => unknown;

const send = (m: unknown): void => {
  process.send!(m);
};

const url = process.argv[2];
if (url === undefined || process.send === undefined) {
  process.stderr.write('cell-process: run me through run-cells (an IPC channel and a module URL)\n');
  process.exit(2);
}
const mod = (await import(url)) as { default: CellFunction };
process.on('message', (m: { id: number; task: unknown }) => {
  Promise.resolve()
    .then(() => mod.default(m.task))
    .then(
      (result) => send({ id: m.id, result }),
      (e: unknown) => send({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
});
// The parent closes the channel when every cell is done; then there is nothing left to wait for.
process.on('disconnect', () => process.exit(0));
send({ ready: true });
