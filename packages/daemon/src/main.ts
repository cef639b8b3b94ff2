#!/usr/bin/env node
/**
 * The router process: `node main.js [weft launch arguments]`. Runs in the foreground, logging
 * JSON to stdout; `weft launch` starts it detached with stdout going to WEFT_HOME/weft.log.
 */
import { parseLaunchArgs } from './config.js'
import { createLogger } from './logger.js'
import { Router } from './router.js'

async function main(): Promise<void> {
  let config
  try {
    config = parseLaunchArgs(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`weft: ${(err as Error).message}\n`)
    process.exit(2)
  }
  const logger = createLogger(config.logLevel, config.nickname)
  const router = new Router(config, logger, () => process.exit(0))
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'signal received')
    void router.stop(false)
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('uncaughtException', (err) => {
    logger.fatal({ err: err.message, stack: err.stack }, 'uncaught exception')
    process.exit(1)
  })
  try {
    await router.start()
  } catch (err) {
    const e = err as Error & { code?: string }
    logger.fatal({ err: e.message, code: e.code }, 'router failed to start')
    process.stderr.write(`weft: ${e.message}\n`)
    await router.stop(false).catch(() => undefined)
    process.exit(1)
  }
}

void main()
