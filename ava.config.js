// Tests run from TypeScript sources through tsx; `npm test` type-checks the whole tree first.
export default {
  files: ['test/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '2m',
};
