import pino from 'pino'
import type { Logger } from 'pino'

/**
 * JSON logs with the fixed field names of docs/LOGGING.md. Written to stdout, which is
 * WEFT_HOME/weft.log when the router runs as a daemon.
 */
export function createLogger(level: string, nickname: string): Logger {
  return pino({
    level,
    base: { pid: process.pid, router: nickname },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}
