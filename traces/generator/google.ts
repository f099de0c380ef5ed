/**
 * `generate --format google2011|google2019`: the seeded Borg workload of ./borg.ts written in the real
 * table layouts (a folder per table of gzip parts), streamed so that 10 M task events take flat memory.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import {
  borgAttrEvents,
  borgMachineEvents,
  borgTaskEvents,
  type BorgGenOptions,
  type GenTaskType,
} from './borg.js';
import { PartWriter, ROWS_PER_PART } from './parts.js';

/** Counts of what a Google generator wrote (the round-trip tests compare a reader's output to these). */
export interface GoogleGenCounts {
  machineEvents: number;
  attributes: number;
  jobEvents: number;
  taskEvents: number;
  constraints: number;
  tasks: number;
  jobs: number;
  submits: number;
  evictions: number;
  /** Rows per event type name, over task events. */
  taskEventsByType: Record<string, number>;
}

const OFFSET_US = 600_000_000;
const TYPES_2011: Record<GenTaskType, number> = {
  SUBMIT: 0,
  SCHEDULE: 1,
  EVICT: 2,
  FAIL: 3,
  FINISH: 4,
  KILL: 5,
  LOST: 6,
};
const TYPES_2019: Record<GenTaskType, number> = {
  SUBMIT: 0,
  SCHEDULE: 3,
  EVICT: 4,
  FAIL: 5,
  FINISH: 6,
  KILL: 7,
  LOST: 8,
};
const MACHINE_2011 = { ADD: 0, REMOVE: 1, UPDATE: 2 } as const;
const MACHINE_2019 = { ADD: 1, REMOVE: 2, UPDATE: 3 } as const;

/** Trace time of a generated time: machines present at the start are at 0, everything else +600 s. */
function traceTime(timeUs: number, zeroAtStart: boolean): number {
  return zeroAtStart && timeUs === 0 ? 0 : timeUs + OFFSET_US;
}

function emptyCounts(): GoogleGenCounts {
  return {
    machineEvents: 0,
    attributes: 0,
    jobEvents: 0,
    taskEvents: 0,
    constraints: 0,
    tasks: 0,
    jobs: 0,
    submits: 0,
    evictions: 0,
    taskEventsByType: {},
  };
}

async function withWriters<T>(writers: PartWriter[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    for (const w of writers) await w.abort();
    throw err;
  }
}

/** Writes a google2011 trace folder; returns the files and the counts. */
export async function generateGoogle2011(
  out: string,
  o: BorgGenOptions,
  rowsPerPart = ROWS_PER_PART,
): Promise<{ files: string[]; counts: GoogleGenCounts }> {
  const counts = emptyCounts();
  const me = new PartWriter(join(out, 'machine_events'), 'csv', rowsPerPart);
  const ma = new PartWriter(join(out, 'machine_attributes'), 'csv', rowsPerPart);
  const je = new PartWriter(join(out, 'job_events'), 'csv', rowsPerPart);
  const te = new PartWriter(join(out, 'task_events'), 'csv', rowsPerPart);
  const tc = new PartWriter(join(out, 'task_constraints'), 'csv', rowsPerPart);
  const writers = [me, ma, je, te, tc];
  await rm(out, { recursive: true, force: true });
  return withWriters(writers, async () => {
    for (const m of borgMachineEvents(o)) {
      await me.write(
        `${traceTime(m.timeUs, true)},${m.machine},${MACHINE_2011[m.type]},${m.platform},${m.cpu},${m.memory}`,
      );
      counts.machineEvents++;
    }
    for (const a of borgAttrEvents(o)) {
      await ma.write(`0,${a.machine},${a.name},${a.value},0`);
      counts.attributes++;
    }
    for (const e of borgTaskEvents(o)) {
      const j = e.job_;
      const time = e.timeUs + OFFSET_US;
      if (e.kind === 'job') {
        await je.write(
          `${time},,${j.id},${TYPES_2011[e.type]},${j.user},${j.schedulingClass},name${j.id},logical${j.id}`,
        );
        counts.jobEvents++;
        if (e.type === 'SUBMIT') counts.jobs++;
        continue;
      }
      if (e.first && j.constraint) {
        // Constraints are written once per task, with its first SUBMIT.
        await tc.write(`${time},${j.id},${e.index},${j.constraint[0]},${j.constraint[1]},${j.constraint[2]}`);
        counts.constraints++;
      }
      const machine = e.type === 'SUBMIT' ? '' : String(e.machine);
      await te.write(
        `${time},,${j.id},${e.index},${machine},${TYPES_2011[e.type]},${j.user},${j.schedulingClass},${j.priority},${j.cpu},${j.memory},${j.disk},${j.differentMachines ? 1 : 0}`,
      );
      countTask(counts, e.type);
    }
    const files: string[] = [];
    for (const w of writers) files.push(...(await w.close()));
    return { files, counts };
  });
}

function countTask(counts: GoogleGenCounts, type: GenTaskType): void {
  counts.taskEvents++;
  counts.taskEventsByType[type] = (counts.taskEventsByType[type] ?? 0) + 1;
  if (type === 'SUBMIT') counts.submits++;
  if (type === 'EVICT') counts.evictions++;
  counts.tasks = counts.submits - counts.evictions;
}

/** Writes a google2019 trace folder (JSON lines as BigQuery exports them); returns the files and the counts. */
export async function generateGoogle2019(
  out: string,
  o: BorgGenOptions,
  rowsPerPart = ROWS_PER_PART,
): Promise<{ files: string[]; counts: GoogleGenCounts }> {
  const counts = emptyCounts();
  const me = new PartWriter(join(out, 'machine_events'), 'json', rowsPerPart);
  const ma = new PartWriter(join(out, 'machine_attributes'), 'json', rowsPerPart);
  const ce = new PartWriter(join(out, 'collection_events'), 'json', rowsPerPart);
  const ie = new PartWriter(join(out, 'instance_events'), 'json', rowsPerPart);
  const writers = [me, ma, ce, ie];
  await rm(out, { recursive: true, force: true });
  return withWriters(writers, async () => {
    for (const m of borgMachineEvents(o)) {
      await me.write(
        `{"time":"${traceTime(m.timeUs, true)}","machine_id":"${m.machine}","type":${MACHINE_2019[m.type]},"switch_id":"sw${m.machine % 40}","capacity":{"cpus":${m.cpu},"memory":${m.memory}},"platform_id":"${m.platform}"}`,
      );
      counts.machineEvents++;
    }
    for (const a of borgAttrEvents(o)) {
      await ma.write(
        `{"time":"0","machine_id":"${a.machine}","name":"${a.name}","value":"${a.value}","deleted":false}`,
      );
      counts.attributes++;
    }
    for (const e of borgTaskEvents(o)) {
      const j = e.job_;
      const time = e.timeUs + OFFSET_US;
      // 2019 priorities: free 0..99, batch 100..115, mid 116..119, production 120..200, monitoring > 200.
      const priority = PRIORITY_2019[j.priority] ?? 0;
      if (e.kind === 'job') {
        const extra =
          e.type === 'SUBMIT'
            ? `,"user":"${j.user}","collection_name":"name${j.id}","collection_logical_name":"logical${j.id}","start_after_collection_ids":[${j.after !== undefined ? `"${j.after}"` : ''}]${j.differentMachines ? ',"max_per_machine":1' : ''}`
            : '';
        await ce.write(
          `{"time":"${time}","type":${TYPES_2019[e.type]},"collection_id":"${j.id}","scheduling_class":${j.schedulingClass},"collection_type":0,"priority":${priority}${extra}}`,
        );
        counts.jobEvents++;
        if (e.type === 'SUBMIT') counts.jobs++;
        continue;
      }
      const constraint =
        e.type === 'SUBMIT' && j.constraint
          ? `[{"name":"${j.constraint[0]}","value":"${j.constraint[2]}","relation":${j.constraint[1]}}]`
          : '[]';
      await ie.write(
        `{"time":"${time}","type":${TYPES_2019[e.type]},"collection_id":"${j.id}","scheduling_class":${j.schedulingClass},"collection_type":0,"priority":${priority},"instance_index":${e.index},"machine_id":"${e.type === 'SUBMIT' ? 0 : e.machine}","resource_request":{"cpus":${j.cpu},"memory":${j.memory}},"constraint":${constraint}}`,
      );
      countTask(counts, e.type);
    }
    const files: string[] = [];
    for (const w of writers) files.push(...(await w.close()));
    return { files, counts };
  });
}

/** 2011 priority (0..11) -> a 2019 priority of the same band. */
const PRIORITY_2019: Record<number, number> = { 0: 0, 1: 25, 2: 100, 4: 110, 9: 120, 10: 200, 11: 360 };
