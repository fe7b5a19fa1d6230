/**
 * A string field of a driver's error. Read from the object rather than known
 * by class: errors of Node's network layer, and better-sqlite3's (whose native
 * part keeps the first class it was handed in a process), may come from
 * another realm or module registry than this module's, as in a test runner.
 */
export const fieldOf = (error: unknown, field: 'code' | 'message' | 'name'): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
};
