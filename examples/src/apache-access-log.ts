/**
 * One line of an Apache access log in Common Log Format, as the "Learning Spark" chapter-10
 * examples parse it (their ApacheAccessLog class), e.g.
 * `127.0.0.1 - - [21/Jul/2014:9:55:27 -0800] "GET /home.html HTTP/1.1" 200 2048`.
 */

export interface ApacheAccessLog {
  ipAddress: string;
  clientIdentd: string;
  userID: string;
  dateTimeString: string;
  method: string;
  endpoint: string;
  protocol: string;
  responseCode: number;
  /** Bytes sent; Apache writes `-` for none, read as 0. */
  contentSize: number;
}

// 1:IP  2:client 3:user 4:date time  5:method 6:req 7:proto  8:respcode 9:size  (the book's pattern,
// plus `-` for an empty body).
const LOG_ENTRY_PATTERN = /^(\S+) (\S+) (\S+) \[([\w:/]+\s[+-]\d{4})\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-)/;

/** The parsed line, or undefined when it does not match the pattern. */
export function tryParseLogLine(line: string): ApacheAccessLog | undefined {
  const m = LOG_ENTRY_PATTERN.exec(line);
  if (m === null) return undefined;
  return {
    ipAddress: m[1]!,
    clientIdentd: m[2]!,
    userID: m[3]!,
    dateTimeString: m[4]!,
    method: m[5]!,
    endpoint: m[6]!,
    protocol: m[7]!,
    responseCode: Number(m[8]),
    contentSize: m[9] === '-' ? 0 : Number(m[9]),
  };
}

/**
 * The book's `ApacheAccessLog.parseFromLogLine`.
 * @throws Error "Error parsing logline" when the line does not match.
 */
export function parseFromLogLine(line: string): ApacheAccessLog {
  const log = tryParseLogLine(line);
  if (log === undefined) throw new Error(`Error parsing logline: ${line}`);
  return log;
}

/** Formats a log entry back into Common Log Format (used by the fake log generator). */
export function formatLogLine(log: ApacheAccessLog): string {
  return `${log.ipAddress} ${log.clientIdentd} ${log.userID} [${log.dateTimeString}] "${log.method} ${log.endpoint} ${log.protocol}" ${log.responseCode} ${log.contentSize}`;
}
