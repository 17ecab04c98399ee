/** Worker thread entry: compacts one state log (see compactStateLog) and posts the file it wrote. */
import { parentPort, workerData } from 'node:worker_threads';
import { compactStateLog, type StateLogRef } from './state-log.js';

const { dir, operatorId, ref, keepSlicesAfter } = workerData as { dir: string; operatorId: string; ref: StateLogRef; keepSlicesAfter: number };
parentPort!.postMessage(await compactStateLog(dir, operatorId, ref, keepSlicesAfter));
