/**
 * One jest run for the whole workspace. TypeScript is compiled by SWC (no type
 * check here: `tsc -b` is the type check), so a test file starts in milliseconds.
 * Workspace packages resolve through their `exports` map to their TypeScript source.
 */
const swc = [
  '@swc/jest',
  {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transformIgnorePatterns: ['/node_modules/\\.pnpm/(?!(@noble|@scure)).*'],
  testTimeout: 30000,
  maxWorkers: 2,
};
