/** Fresh PostgreSQL databases for benchmarks (never the test database itself). */
import pg from 'pg';

export const PG_ADMIN_URL = process.env.HC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
}

/** Peak resident set size of this process so far, MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
