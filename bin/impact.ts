#!/usr/bin/env node
/** The `impact` command line tool. Each command lives in bin/commands/<name>.ts and registers itself. */
import { Command } from 'commander';
import { runCli } from './commands/cli-errors.ts';
import { register as assess } from './commands/assess.ts';
import { register as graphValidate } from './commands/graph-validate.ts';
import { register as graphImport } from './commands/graph-import.ts';
import { register as replay } from './commands/replay.ts';
import { register as send } from './commands/send.ts';
import { register as templates } from './commands/templates.ts';

const program = new Command('impact')
  .description('turn IT changes and incidents into customer impact')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

for (const register of [assess, graphValidate, graphImport, replay, send, templates]) register(program);
for (const command of program.commands) command.exitOverride();
for (const group of program.commands) for (const sub of group.commands) sub.exitOverride();

process.exitCode = await runCli(() => program.parseAsync(process.argv));
