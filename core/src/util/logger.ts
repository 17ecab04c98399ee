/** Where the engine writes what it wants a person to know. Pass your own (pino, console) in the context options. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes warnings and errors to stderr; info and debug only when SLUICE_LOG is `info` or `debug`. */
export function defaultLogger(): Logger {
  const level = process.env['SLUICE_LOG'] ?? 'warn';
  const at = (l: string): boolean => ['debug', 'info', 'warn', 'error'].indexOf(l) >= ['debug', 'info', 'warn', 'error'].indexOf(level);
  const line = (l: string, m: string): void => {
    if (at(l)) process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase()} sluice: ${m}\n`);
  };
  return {
    debug: (m) => line('debug', m),
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}
