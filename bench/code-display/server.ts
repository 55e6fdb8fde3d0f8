/** The platform's api role for the benchmark: PostgreSQL + Redis from the environment. */
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/roles/context.ts';
import { startRoles } from '../../src/roles/api.role.ts';

const config = loadConfig();
const ctx = await createContext(config, { log: pino({ level: 'warn' }) });
await startRoles(ctx);
process.stdout.write(`ready ${config.port}\n`);
process.on('SIGTERM', () => process.exit(0));
