/**
 * The end of an exhaustive switch or dispatch. Its argument is `never` when every
 * case is handled, so a case left out fails to compile with an error naming it;
 * at run time it is reached only through data that bypassed the types.
 */
export const unhandled = (value: never, what: string): never => {
  const type = (value as { type?: unknown } | null)?.type;
  throw new Error(`no ${what} for ${JSON.stringify(type ?? value)}`);
};
