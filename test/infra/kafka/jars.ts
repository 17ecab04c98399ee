// Fetches Kafka's jars from Maven Central (through test/infra/kafka/pom.xml) into the ignored
// cache test/infra/.cache/kafka-<version>/lib, once per machine, safely under concurrency.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, run, sleep } from './proc.js';

/** The Kafka version tests use unless told otherwise. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';
/** The Kafka 4.x leg (pom profile `kafka4`). */
export const KAFKA4_VERSION = '4.1.2';

/** test/infra/kafka (pom.xml, log4j configs). */
export const KAFKA_INFRA_DIR = dirname(fileURLToPath(import.meta.url));
/** test/infra/.cache (git-ignored). */
export const CACHE_DIR = join(KAFKA_INFRA_DIR, '..', '.cache');

const MVN_TIMEOUT_MS = 10 * 60_000;
const LOCK_WAIT_MS = MVN_TIMEOUT_MS + 60_000;
const COMPLETE_MARKER = '.complete';

/** Major version number of a Kafka version string ('3.9.1' -> 3). */
export function kafkaMajor(version: string): number {
  return Number(version.split('.')[0]);
}

/** JVM system property that points a Kafka JVM of this version at our quiet logging config. */
export function loggingArg(version: string): string {
  return kafkaMajor(version) >= 4
    ? `-Dlog4j2.configurationFile=${join(KAFKA_INFRA_DIR, 'log4j2.properties')}`
    : `-Dlog4j.configuration=file:${join(KAFKA_INFRA_DIR, 'log4j.properties')}`;
}

/** The cache folder for one version; its `lib` is the classpath folder. */
export function kafkaCacheDir(version: string): string {
  return join(CACHE_DIR, `kafka-${version}`);
}

/** Complete = the marker written after a successful copy exists and every jar it lists exists. */
function isComplete(libDir: string): boolean {
  try {
    const jars = readFileSync(join(libDir, COMPLETE_MARKER), 'utf8').split('\n').filter(Boolean);
    return jars.length > 0 && jars.every((jar) => existsSync(join(libDir, jar)));
  } catch {
    return false;
  }
}

/**
 * Makes sure the runtime jars of Kafka `version` (broker + kafka-tools + a logging backend) are in
 * test/infra/.cache/kafka-<version>/lib and returns that folder (use it as `-cp "<lib>/*"`).
 *
 * Runs `mvn -q -B package` (10 min timeout) only when the folder is missing or incomplete. Safe
 * when several processes call it at once: one Maven run at a time under a lock file
 * (.cache/kafka-jars.lock, stolen when its owner PID is dead), each run copies into its own
 * staging folder, which is renamed into place only when complete. Versions 4.x use the pom's
 * `kafka4` profile (Log4j 2 instead of reload4j). Rejects with Maven's output on failure.
 */
export async function ensureKafkaJars(version: string = DEFAULT_KAFKA_VERSION): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`ensureKafkaJars: bad version '${version}'`);
  const cacheDir = kafkaCacheDir(version);
  const libDir = join(cacheDir, 'lib');
  if (isComplete(libDir)) return libDir;

  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(join(CACHE_DIR, 'kafka-jars.lock'), LOCK_WAIT_MS);
  try {
    if (isComplete(libDir)) return libDir; // another process finished while we waited
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const staging = join(cacheDir, `lib.tmp-${tag}`);
    const buildDir = join(cacheDir, `target.tmp-${tag}`);
    try {
      const args = ['-q', '-B', '-Dstyle.color=never', 'package', `-Dkafka.version=${version}`,
        `-Dkafka.lib.dir=${staging}`, `-Dkafka.build.dir=${buildDir}`];
      if (kafkaMajor(version) >= 4) args.push('-Pkafka4');
      const started = Date.now();
      const res = await run('mvn', args, { cwd: KAFKA_INFRA_DIR, timeoutMs: MVN_TIMEOUT_MS });
      if (res.code !== 0) {
        const why = res.timedOut ? `timed out after ${MVN_TIMEOUT_MS / 1000} s` : `exited with ${res.code ?? res.signal}`;
        throw new Error(`mvn package for Kafka ${version} ${why}:\n${(res.stdout + res.stderr).slice(-8000)}`);
      }
      const jars = (await readdir(staging)).filter((f) => f.endsWith('.jar')).sort();
      if (!jars.some((j) => j.startsWith('kafka_2.13-'))) throw new Error(`mvn produced no kafka_2.13 jar in ${staging}`);
      await writeFile(join(staging, COMPLETE_MARKER), jars.join('\n') + '\n');
      await rm(libDir, { recursive: true, force: true }); // an incomplete leftover
      await rename(staging, libDir);
      process.stderr.write(`[kafka-infra] fetched ${jars.length} jars for Kafka ${version} in ${Date.now() - started} ms\n`);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      await rmdir(cacheDir).catch(() => {}); // only if empty: no half-made version folder
      throw err;
    } finally {
      await rm(staging, { recursive: true, force: true });
      await rm(buildDir, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
  if (!isComplete(libDir)) throw new Error(`ensureKafkaJars: ${libDir} incomplete after mvn`);
  return libDir;
}

/** An exclusive lock file holding the owner's PID; waits at most `waitMs` for it. */
async function acquireLock(path: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => unlink(path).catch(() => {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    const ageMs = Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? Date.now());
    const dead = Number.isInteger(owner) && owner > 0 ? !isAlive(owner) : ageMs > 30_000;
    if (dead) {
      // Dead owner (or an empty file left for 30 s): move it aside atomically, then retry.
      await rename(path, `${path}.stale-${process.pid}`).then(
        () => unlink(`${path}.stale-${process.pid}`),
        () => {},
      );
      continue;
    }
    if (Date.now() > deadline) throw new Error(`ensureKafkaJars: lock ${path} held by PID ${owner} for too long`);
    await sleep(250);
  }
}
