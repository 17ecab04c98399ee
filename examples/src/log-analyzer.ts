/**
 * "Learning Spark", chapter 10: the log analyzer over Apache access logs, every example of the
 * chapter on one stream of log lines:
 * - per batch: requests per IP (map + reduceByKey); bytes per IP joined with requests per IP (join);
 * - windowed (30 s window, 10 s slide by default): requests per IP with reduceByKeyAndWindow and its
 *   inverse (incremental); countByValueAndWindow of IPs and countByWindow of requests;
 * - running totals per response code with updateStateByKey;
 * - top endpoints with transform (sort and take inside the RDD);
 * - outputs: print() of each, saveAsTextFiles of the windowed IP counts, and foreachRDD writing
 *   the response-code totals and content-size statistics.
 * Needs a checkpoint directory (updateStateByKey, the inverse window).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Seconds, type DStream, type Duration } from '@sluice/core';
import { tryParseLogLine, type ApacheAccessLog } from './apache-access-log.js';

export interface LogAnalyzerOptions {
  /** Default 30 s, the book's. */
  windowDuration?: Duration;
  /** Default 10 s. */
  slideDuration?: Duration;
  /** Where saveAsTextFiles and foreachRDD write their results. */
  outputDir: string;
  /** How many elements print() shows per batch (default 10). */
  printNum?: number;
  /** Writes section titles before each print block (default: stdout). */
  write?: (text: string) => void;
}

/** The streams the analyzer builds (returned so tests can look at them). */
export interface LogAnalyzerStreams {
  ipCounts: DStream<[string, number]>;
  ipBytesRequestCount: DStream<[string, [number, number]]>;
  ipCountsWindowed: DStream<[string, number]>;
  ipAddressRequestCount: DStream<[string, number]>;
  requestCount: DStream<number>;
  responseCodeCounts: DStream<[number, number]>;
  topEndpoints: DStream<[string, number]>;
}

/** Parses lines into log entries; lines that are not access-log lines are dropped. */
export function parseAccessLogs(lines: DStream<string>): DStream<ApacheAccessLog> {
  return lines.flatMap((line) => {
    const log = tryParseLogLine(line);
    return log === undefined ? [] : [log];
  });
}

/** The book's computeRunningSum: previous total plus this batch's values. */
export function computeRunningSum(values: number[], state: number | undefined): number {
  return values.reduce((x, y) => x + y, 0) + (state ?? 0);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export function processAccessLogs(accessLogs: DStream<ApacheAccessLog>, opts: LogAnalyzerOptions): LogAnalyzerStreams {
  const window = opts.windowDuration ?? Seconds(30);
  const slide = opts.slideDuration ?? Seconds(10);
  const num = opts.printNum ?? 10;
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const show = <T>(title: string, stream: DStream<T>): void => {
    stream.foreachRDD(() => write(`\n== ${title} ==\n`), `title: ${title}`);
    stream.print(num);
  };

  // Per batch: requests per IP, and bytes per IP joined with it.
  const ipDStream = accessLogs.map((log) => [log.ipAddress, 1] as [string, number]);
  const ipCounts = ipDStream.reduceByKey((x, y) => x + y);
  const ipBytesSum = accessLogs.map((log) => [log.ipAddress, log.contentSize] as [string, number]).reduceByKey((x, y) => x + y);
  const ipBytesRequestCount = ipCounts.join(ipBytesSum);
  show('requests per IP (this batch)', ipCounts);
  show('(requests, bytes) per IP (this batch, join)', ipBytesRequestCount);

  // Windowed: the incremental form adds the entering batches and subtracts the leaving ones.
  const ipCountsWindowed = ipDStream.reduceByKeyAndWindow((x, y) => x + y, (x, y) => x - y, window, slide, undefined, ([, n]) => n > 0);
  const ipAddressRequestCount = accessLogs.map((log) => log.ipAddress).countByValueAndWindow(window, slide);
  const requestCount = accessLogs.countByWindow(window, slide);
  show(`requests per IP (last ${window / 1000} s, reduceByKeyAndWindow)`, ipCountsWindowed);
  show(`requests per IP (last ${window / 1000} s, countByValueAndWindow)`, ipAddressRequestCount);
  show(`requests (last ${window / 1000} s, countByWindow)`, requestCount);

  // Running totals per response code since the start.
  const responseCodeCounts = accessLogs.map((log) => [log.responseCode, 1] as [number, number]).updateStateByKey(computeRunningSum).name('responseCodeCounts');
  show('requests per response code (running total, updateStateByKey)', responseCodeCounts);

  // Top endpoints of each batch: an RDD-to-RDD function through transform.
  const topEndpoints = accessLogs.transform((rdd) =>
    rdd
      .map((log) => [log.endpoint, 1] as [string, number])
      .reduceByKey((x, y) => x + y)
      .sortBy(([endpoint, n]) => [-n, endpoint])
      .coalesce(1)
      .mapPartitions((items) => items.slice(0, 5)),
  );
  show('top 5 endpoints (this batch, transform)', topEndpoints);

  // Outputs to files: one directory per window, and the latest totals through foreachRDD.
  ipAddressRequestCount.saveAsTextFiles(join(opts.outputDir, 'ipAddressRequestCount'), 'txt');
  responseCodeCounts.foreachRDD(async (rdd, time) => {
    const totals = Object.fromEntries((await rdd.collect()).sort((a, b) => a[0] - b[0]));
    await mkdir(opts.outputDir, { recursive: true });
    await writeAtomically(join(opts.outputDir, 'response-codes.json'), JSON.stringify({ time, totals }, null, 2) + '\n');
  }, 'write response-codes.json');
  const stats = { count: 0, sum: 0, min: Infinity, max: -Infinity };
  accessLogs.foreachRDD(async (rdd) => {
    const sizes = await rdd.map((log) => log.contentSize).collect();
    for (const s of sizes) {
      stats.count++;
      stats.sum += s;
      stats.min = Math.min(stats.min, s);
      stats.max = Math.max(stats.max, s);
    }
    if (stats.count > 0) write(`\nContent size (all batches so far): avg ${Math.round(stats.sum / stats.count)}, min ${stats.min}, max ${stats.max}, requests ${stats.count}\n`);
  }, 'content size statistics');

  return { ipCounts, ipBytesRequestCount, ipCountsWindowed, ipAddressRequestCount, requestCount, responseCodeCounts, topEndpoints };
}
