/** The queue of the queueStream chaos app: item k holds records k*7 .. k*7+(k%5), so items differ in size. */
import { record } from './stateful-graph.js';

export function queueItem(k: number): string[] {
  return Array.from({ length: 1 + (k % 5) }, (_, i) => record(k * 7 + i));
}
