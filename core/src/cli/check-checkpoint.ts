/**
 * `sluice check-checkpoint <dir> <app>`: loads the application in check mode. Its call to
 * StreamingContext.getOrCreate builds the graph, compares it with the newest readable checkpoint in
 * `dir`, prints the verdict and exits (0: it can restore or would start fresh, 2: it cannot),
 * before anything starts. Spark offers no such check: a mismatch only shows at restart.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installCheckModeHook } from '../checkpoint/check-mode.js';
import { graphMismatches } from '../checkpoint/operators.js';

export async function checkCheckpoint(dir: string, app: string, args: string[], timeoutMs = 60_000): Promise<number> {
  const wanted = resolve(dir);
  installCheckModeHook({
    report(ssc, cp, usedDir) {
      const out = (s: string): boolean => process.stdout.write(s + '\n');
      if (resolve(usedDir) !== wanted) out(`note: the application uses the checkpoint directory ${usedDir}, not ${dir}`);
      if (!cp) {
        out(`No readable checkpoint in ${usedDir}: the application would start fresh.`);
        process.exit(0);
      }
      const problems = graphMismatches(cp, ssc.graph, ssc.batchInterval);
      out(`Checkpoint of batch ${cp.checkpointTime} ms (written ${new Date(cp.writtenAt).toISOString()}${cp.stoppedGracefully ? ' by a graceful stop' : ''}), format ${cp.format}, ${cp.pendingTimes.length} pending batch(es).`);
      for (const [id, ref] of Object.entries(cp.stateLogs ?? {})) {
        out(`State of '${id}': ${ref.time === null ? 'none yet' : `as of batch ${ref.time} ms`}, in ${ref.files.map((f) => `${f.file} (${f.bytes} bytes)`).join(', ')}.`);
      }
      for (const [id, ref] of Object.entries(cp.snapshots ?? {})) out(`State of '${id}': the format-1 snapshot ${ref.file} of batch ${ref.time} ms.`);
      if (problems.length === 0) {
        out('OK: the application can restore from this checkpoint.');
        process.exit(0);
      }
      out('CANNOT RESTORE:');
      for (const p of problems) out(`- ${p}`);
      process.exit(2);
    },
  });
  process.argv = [process.argv[0]!, resolve(app), ...args];
  const timer = setTimeout(() => {
    process.stderr.write(`sluice check-checkpoint: ${app} did not call StreamingContext.getOrCreate within ${timeoutMs / 1000} s\n`);
    process.exit(1);
  }, timeoutMs);
  timer.unref();
  await import(pathToFileURL(resolve(app)).href);
  process.stderr.write(`sluice check-checkpoint: ${app} finished loading without calling StreamingContext.getOrCreate\n`);
  return 1;
}
