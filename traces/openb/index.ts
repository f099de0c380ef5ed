/** The openb (Alibaba cluster-trace-gpu-v2023) format: typed rows and the TraceRecord reader. */
export * from './rows.js';
export * from './reader.js';
