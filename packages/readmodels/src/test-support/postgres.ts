import pg from 'pg';

const ADMIN_URL = process.env['READMODELS_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates a database of its own for one test file; returns its URL and how to drop it. */
export const createTestDatabase = async (
  label: string,
): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `readmodels_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
};
