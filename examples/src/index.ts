/** The chapter-10 examples as a library (for tests and reuse) and the fake log generator. */
export { parseFromLogLine, tryParseLogLine, formatLogLine, type ApacheAccessLog } from './apache-access-log.js';
export { processLines } from './streaming-log-input.js';
export { processAccessLogs, parseAccessLogs, computeRunningSum, type LogAnalyzerOptions, type LogAnalyzerStreams } from './log-analyzer.js';
export { createLogAnalyzer, runLogAnalyzer, type LogAnalyzerAppOptions } from './log-analyzer-app.js';
export { FakeLogLines, apacheTime } from './fakelogs/fake-log-lines.js';
export { startFakeLogServer, type FakeLogServer, type FakeLogServerOptions } from './fakelogs/fake-log-server.js';
export { startFakeLogFiles, dropLogFile, type FakeLogFiles, type FakeLogFilesOptions } from './fakelogs/fake-log-files.js';
