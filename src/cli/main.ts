/** Entry point; replaced by the real command table as the stages land. */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('dps-bulk: not built yet\n');
  return 2;
}
