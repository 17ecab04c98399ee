/**
 * The sender process: listens on 127.0.0.1 (a free port, printed as `PORT <n>` on stdout), and
 * writes the workload to the first client as fast as TCP takes it, then closes. Exits after
 * `--timeout` seconds whatever happens.
 */
import { createServer, type AddressInfo } from 'node:net';
import { lineBlock } from './workload.js';

const blocks = Number(process.argv[2] ?? '1000');
const timeoutS = Number(process.argv[3] ?? '300');
const { block } = lineBlock();
// Write in ~4 MiB buffers so the sender's own cost stays negligible.
const perWrite = Math.max(1, Math.floor((4 * 1024 * 1024) / block.length));
const big = Buffer.concat(Array.from({ length: perWrite }, () => block));

const server = createServer((socket) => {
  server.close();
  socket.on('error', () => process.exit(0));
  let left = blocks;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, perWrite);
      left -= n;
      const ok = socket.write(n === perWrite ? big : big.subarray(0, n * block.length));
      if (!ok) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end(() => process.exit(0));
  };
  pump();
});
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
});
setTimeout(() => process.exit(3), timeoutS * 1000).unref();
