import pg from 'pg';

const ADMIN_URL = process.env['E2E_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of the test's own on the local PostgreSQL; `drop` removes it. */
export const createDatabase = async (
  label: string,
): Promise<{ readonly url: string; drop(): Promise<void> }> => {
  const name = `e2e_${label}_${process.pid}_${Date.now().toString(36)}`;
  const run = async (statement: string): Promise<void> => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
};
