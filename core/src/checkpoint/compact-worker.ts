/** Worker thread entry: compacts one state log (see compactStateLog) and posts the file it wrote. */
import { parentPort, workerData } from 'node:worker_threads';
import { compactStateLog, type StateLogRef } from './state-log.js';

const { dir, operatorId, ref } = workerData as { dir: string; operatorId: string; ref: StateLogRef };
parentPort!.postMessage(await compactStateLog(dir, operatorId, ref));
