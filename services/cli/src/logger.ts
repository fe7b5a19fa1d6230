/** A logger for the long-running roles: one line per message on stderr, fields as JSON. */
export const stderrLogger = (stream: NodeJS.WritableStream, role: string) => {
  const line = (level: string, message: string, fields?: Record<string, unknown>): void => {
    const extra =
      fields && Object.keys(fields).length > 0
        ? ` ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`
        : '';
    stream.write(`${new Date().toISOString()} ${role} ${level} ${message}${extra}\n`);
  };
  return {
    info: (m: string, f?: Record<string, unknown>) => line('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => line('warn', m, f),
    error: (m: string, f?: Record<string, unknown>) => line('error', m, f),
  };
};
