/**
 * Readers of the formats beyond openb / native / manifests, keyed by format name; `openTrace` dispatches
 * here. Kept apart from detect.ts so that each reader stays a leaf module.
 */
import { InputError } from '../engine/api/errors.js';
import type { OnInvalid } from './input.js';
import type { TraceSource, TraceMode } from './types.js';
import { readGoogle2011 } from './google2011/index.js';
import { readAlibaba2018 } from './alibaba2018/index.js';
import { readPai2020 } from './pai2020/index.js';
import { readDlrm2025 } from './dlrm2025/index.js';
import { readGoogle2019 } from './google2019/index.js';

/** The first columns of the DLRM 2025 instance list's header. */
export const DLRM_HEADER_PREFIX = 'instance_sn,role,app_name,';
/** The PAI 2020 machine spec's columns (as in its `.header` file). */
export const PAI_HEADER = 'machine,gpu_type,cap_cpu,cap_mem,cap_gpu';

/** Input paths a reader may use. */
export interface ReaderInputs {
  readonly trace?: string;
  readonly nodes?: string;
  readonly pods?: string;
  readonly mode?: TraceMode;
}

type Opener = (opts: ReaderInputs, onInvalid: OnInvalid) => TraceSource;

function need(format: string, path: string | undefined): string {
  if (path === undefined)
    throw new InputError(
      '--trace',
      undefined,
      undefined,
      `format ${format} needs --trace <path>`,
      'NO_INPUT',
    );
  return path;
}

/** Openers by format. */
export const READERS_EXTRA: Record<
  'alibaba2018' | 'google2011' | 'google2019' | 'pai2020' | 'dlrm2025',
  Opener
> = {
  alibaba2018: (o, onInvalid) =>
    readAlibaba2018({
      ...(o.trace ? { trace: o.trace } : {}),
      ...(o.nodes ? { nodes: o.nodes } : {}),
      onInvalid,
    }),
  google2011: (o, onInvalid) => readGoogle2011({ trace: need('google2011', o.trace), onInvalid }),
  google2019: (o, onInvalid) => readGoogle2019({ trace: need('google2019', o.trace), onInvalid }),
  pai2020: (o, onInvalid) => {
    const nodes = o.nodes ?? o.trace;
    if (nodes === undefined)
      throw new InputError(
        '--nodes',
        undefined,
        undefined,
        'format pai2020 needs --nodes <path>',
        'NO_INPUT',
      );
    return readPai2020({ nodes, onInvalid });
  },
  dlrm2025: (o, onInvalid) => {
    const pods = o.pods ?? o.trace;
    if (pods === undefined)
      throw new InputError('--pods', undefined, undefined, 'format dlrm2025 needs --pods <path>', 'NO_INPUT');
    return readDlrm2025({ pods, onInvalid, ...(o.mode ? { mode: o.mode } : {}) });
  },
};
