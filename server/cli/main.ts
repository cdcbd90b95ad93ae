// Entry point of `pnpm cli`; the commands live in run-cli.ts.
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stderr.isTTY ? process.stderr : undefined,
});
process.exit(code);
