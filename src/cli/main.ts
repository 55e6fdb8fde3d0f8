/**
 * `hc`: the operator's command line. Commands work on the configured database directly (on the
 * embedded default, only while no server holds it).
 */
import { Command } from 'commander';
import { registerCoreCommands } from './commands/core.command.ts';
import { registerCompanionsCommand } from './commands/companions.command.ts';
import { registerGenPingsCommand } from './commands/gen-pings.command.ts';
import { registerTestingCommand } from './commands/testing.command.ts';
import { registerImportCommand } from './commands/import.command.ts';
import { registerRetentionCommand } from './commands/retention.command.ts';
import { registerPlacesCommand } from './commands/places.command.ts';
import { registerSimulateCommand } from './commands/simulate.command.ts';
import { MigrationChangedError, SchemaOutOfDateError } from '../ports/schema-migrations.port.ts';
import { EXIT_SCHEMA } from '../roles/schema.ts';
import { CommanderError, parseErrorExitCode } from './context.ts';

const program = new Command();
program
  .name('hc')
  .description('健康码平台命令行 Health code platform command line')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true })
  // Parse errors (commander has printed them) exit with the usage code, as refused arguments do.
  .exitOverride();

registerCoreCommands(program);
registerCompanionsCommand(program);
registerGenPingsCommand(program);
// Feature areas register their commands here, one line each.
registerPlacesCommand(program);
registerTestingCommand(program);
registerImportCommand(program);
registerRetentionCommand(program);
registerSimulateCommand(program);

// Exit when the command is done: an embedded PGlite (and some client libraries) keep handles
// open after close, and a finished CLI command must not hang. Long-running commands never settle.
program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    if (err instanceof CommanderError) process.exit(parseErrorExitCode(err));
    process.stderr.write(`错误 error: ${err instanceof Error ? err.message : String(err)}\n`);
    const schema = err instanceof SchemaOutOfDateError || err instanceof MigrationChangedError;
    process.exit(schema ? EXIT_SCHEMA : 1);
  },
);
