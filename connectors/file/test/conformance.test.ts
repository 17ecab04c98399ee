// The shared connector conformance suite, run against textFileStream: the peer drops files
// atomically into a directory; "going away" removes the directory, "coming back" re-creates it.
import { mkdir, rename, rm } from 'node:fs/promises';
import { connectorConformance, type ConformancePeer } from '../../../test/conformance/index.js';
import { textFileStream } from '@sluice/file';
import { dirs, drop, quiet, type Dirs } from './helpers.js';

class DirectoryPeer implements ConformancePeer {
  constructor(readonly d: Dirs) {}

  async send(records: readonly string[], opts: { wait?: boolean } = {}): Promise<void> {
    try {
      await drop(this.d, `part-${process.hrtime.bigint()}.txt`, records.map((r) => `${r}\n`).join(''));
    } catch (e) {
      if (opts.wait !== false) throw e;
    }
  }

  async sendBad(): Promise<number> {
    await drop(this.d, 'bad.txt', Buffer.from([0x6f, 0x6b, 0x0a, 0xc3, 0x28, 0x0a]));
    return 1;
  }

  async goAway(): Promise<void> {
    await rename(this.d.dir, `${this.d.dir}.gone`);
    await rm(`${this.d.dir}.gone`, { recursive: true, force: true });
  }

  async comeBack(): Promise<void> {
    await mkdir(this.d.dir, { recursive: true });
  }

  close(): Promise<void> {
    return this.d.cleanup();
  }
}

connectorConformance<ReturnType<typeof textFileStream>, DirectoryPeer>({
  name: 'textFileStream',
  guarantee: 'exactly-once',
  ordered: true,
  contextOptions: { logger: quiet },
  startPeer: async () => new DirectoryPeer(await dirs()),
  createStream: (ssc, peer) => textFileStream(ssc, peer.d.dir, { settleMs: 0 }),
});
