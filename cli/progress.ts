import cliProgress from 'cli-progress';

/** Progress of a long run on stderr: a bar with rate and ETA on a TTY, nothing otherwise. */
export interface Progress {
  /** `done` of `total` units (e.g. virtual seconds, cells); `detail` shows beside the bar. */
  update(done: number, detail?: string): void;
  stop(): void;
}

const QUIET: Progress = { update: () => {}, stop: () => {} };

/**
 * A progress bar when stderr is a terminal and `enabled`; a silent no-op otherwise (CI logs and
 * pipes stay clean). `unit` names what `total` counts.
 */
export function createProgress(label: string, total: number, unit: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return QUIET;
  if (!(total > 0)) return statusLine(label, unit);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} {detail}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = process.hrtime.bigint();
  bar.start(Math.round(total), 0, { rate: '0', detail: '' });
  return {
    update(done, detail = '') {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      bar.update(Math.min(Math.round(done), Math.round(total)), {
        rate: secs > 0 ? (done / secs).toFixed(0) : '0',
        detail,
      });
    },
    stop() {
      bar.stop();
    },
  };
}

/** For work of unknown size: one status line rewritten in place, at most 5 times a second. */
function statusLine(label: string, unit: string): Progress {
  const start = process.hrtime.bigint();
  let last = 0n;
  return {
    update(done, detail = '') {
      const now = process.hrtime.bigint();
      if (now - last < 200_000_000n) return;
      last = now;
      const secs = Number(now - start) / 1e9;
      const rate = secs > 0 ? Math.round(done / secs) : 0;
      process.stderr.write(`\r\x1b[K${label}: ${Math.round(done)} ${unit} | ${rate}/s ${detail}`);
    },
    stop() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
