/**
 * A small structured logger: one line per event, `level event {fields}`. Events are stable
 * snake_case names so that logs can be grepped and counted; fields never hold secrets.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface ConsoleLoggerOptions {
  /** Lowest level written. Default: 'info', or PARLEY_LOG_LEVEL when set. */
  level?: LogLevel;
  /** Where lines go. Default: standard error, so that standard output stays for data. */
  write?: (line: string) => void;
  scope?: string;
}

export function createLogger(options: ConsoleLoggerOptions = {}): Logger {
  const envLevel = process.env['PARLEY_LOG_LEVEL'] as LogLevel | undefined;
  const level: LogLevel = options.level ?? (envLevel && envLevel in RANK ? envLevel : 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const scope = options.scope;
  const emit = (lvl: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < RANK[level]) return;
    const name = scope ? `${scope}.${event}` : event;
    const extra =
      fields && Object.keys(fields).length ? ' ' + escapeRaw(JSON.stringify(fields, replacer)) : '';
    write(`${new Date().toISOString()} ${lvl} ${name}${extra}`);
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (s) => createLogger({ level, write, scope: scope ? `${scope}.${s}` : s }),
  };
}

/** A logger that drops everything, for tests and benchmarks. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/**
 * Characters JSON.stringify leaves raw that a terminal or a log viewer acts on: DEL and the C1
 * controls (CSI, U+009B, starts an escape sequence like ESC [) and the line and paragraph
 * separators (U+2028/U+2029 break lines in many viewers). Fields carry text from peers (names,
 * reasons), so they are written as JSON escapes, which read back as the same string.
 */
const RAW_CONTROLS = /[\u007f-\u009f\u2028\u2029]/g;

function escapeRaw(json: string): string {
  return json.replace(RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}
