/**
 * Operator ids: how a checkpoint's state and positions find their stream in a rebuilt graph.
 * A stream's id is its `.name(id)`, else its position in the graph (`#5`). Matching is by id; the
 * kind must match too. Only stateful operators and inputs carry anything across a restart, so
 * those are the ones that must match; stateless operators may come and go.
 */
import type { DStreamGraph } from '../scheduler/dstream-graph.js';
import type { DStream } from '../dstream/dstream.js';
import type { CheckpointData, CheckpointedOperator } from './checkpoint-file.js';
import { SluiceError } from '../errors.js';
import { formatDuration } from '../time.js';

export function describeOperators(graph: DStreamGraph): CheckpointedOperator[] {
  const inputs = new Set<DStream<unknown>>(graph.inputs);
  return graph.reachable().map((s) => ({ id: s.operatorId, kind: s.kind, stateful: s.mustCheckpoint, input: inputs.has(s) }));
}

/** Every problem that keeps `graph` from restoring `cp`, as sentences (empty: it can restore). */
export function graphMismatches(cp: CheckpointData, graph: DStreamGraph, batchInterval: number): string[] {
  const problems: string[] = [];
  if (cp.batchInterval !== batchInterval) {
    problems.push(`The checkpoint was written with a batch interval of ${formatDuration(cp.batchInterval)}, this application uses ${formatDuration(batchInterval)}.`);
  }
  const current = new Map(describeOperators(graph).map((o) => [o.id, o]));
  for (const old of cp.operators) {
    if (!old.stateful && !old.input) continue;
    const what = old.stateful ? `${old.kind} state` : `the read position of input ${old.kind}`;
    const now = current.get(old.id);
    if (now === undefined) {
      problems.push(`The checkpoint holds ${what} for operator '${old.id}', but this application has no operator with that id.`);
    } else if (now.kind !== old.kind) {
      problems.push(`The checkpoint holds ${what} for operator '${old.id}', but operator '${old.id}' of this application is a ${now.kind}.`);
    }
  }
  return problems;
}

/** @throws SluiceError CHECKPOINT_MISMATCH listing every mismatch and what to do. */
export function verifyGraph(cp: CheckpointData, graph: DStreamGraph, batchInterval: number, dir: string): void {
  const problems = graphMismatches(cp, graph, batchInterval);
  if (problems.length === 0) return;
  throw new SluiceError(
    'CHECKPOINT_MISMATCH',
    `This application cannot restore from the checkpoint in ${dir}:\n- ${problems.join('\n- ')}\n` +
      `Operators are matched by id: give stateful streams and inputs stable names with .name('...') and keep them across versions ` +
      `(unnamed ones are numbered by position, which changes when streams are added before them), ` +
      `or start from an empty checkpoint directory to discard the old state.`,
  );
}
