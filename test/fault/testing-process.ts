/**
 * The testing service as a separate process for the fault test: the same start as
 * `HC_ROLE=testing npm start` (createContext + startTestingRole), except that the NATS stream and
 * subject prefix are the test's own (FAULT_STREAM, FAULT_PREFIX) so tests never share a stream.
 */
import pino from 'pino';
import { connectFaultBus } from './fault-bus.ts';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/roles/context.ts';
import { openTestingDatabase, startTestingRole } from '../../src/roles/nat-testing.role.ts';
import { migrate, TESTING_MIGRATIONS } from '../../src/adapters/db/migrate.ts';

const env = process.env;
const config = loadConfig({ ...env, HC_ROLE: 'testing', HC_DEMO: 'false' });
const bus = await connectFaultBus(env);
const ctx = await createContext(config, {
  bus,
  masterKey: Buffer.from(env.FAULT_MASTER_KEY as string, 'hex'),
  skipMigrate: true,
  log: pino({ level: env.LOG_LEVEL ?? 'warn' }),
});
// A production start: the operator ran `hc migrate` on the testing database first.
const own = await openTestingDatabase(env);
if (own) {
  await migrate(own, TESTING_MIGRATIONS);
  await own.close();
}
const running = await startTestingRole(ctx, { env });
process.stdout.write(`READY ${running.url}\n`);
