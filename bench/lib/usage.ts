/** `--help` / `-h` on any bench/ script: prints its usage and exits 0 before any work is done. */
export function helpIfAsked(usage: string): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage.trimEnd() + '\n');
    process.exit(0);
  }
}
