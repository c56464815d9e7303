/**
 * Test helper: a logger that keeps every line (level, event with its scope, fields), for tests
 * that check what is logged and at which level.
 */
import type { Logger, LogLevel } from './logger';

export interface LogLine {
  level: LogLevel;
  event: string;
  fields: Record<string, unknown> | undefined;
}

export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
  /** The lines at `level`. */
  at(level: LogLevel): LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const scoped = (scope: string | undefined): Logger => {
    const keep =
      (level: LogLevel) =>
      (event: string, fields?: Record<string, unknown>): void => {
        lines.push({ level, event: scope ? `${scope}.${event}` : event, fields });
      };
    return {
      debug: keep('debug'),
      info: keep('info'),
      warn: keep('warn'),
      error: keep('error'),
      child: (s) => scoped(scope ? `${scope}.${s}` : s),
    };
  };
  return { ...scoped(undefined), lines, at: (level) => lines.filter((l) => l.level === level) };
}
