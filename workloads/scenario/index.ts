/** Scenario files: cluster objects, timed API calls and timed faults in one YAML file. */
export * from './reader.js';
export * from './run.js';
