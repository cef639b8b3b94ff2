import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_BRIDGE, DEFAULT_TAP, PID_FILE } from '@weft/daemon'
import type { Command } from '../command.js'
import { parseFlags } from '../command.js'
import { CliError } from '../errors.js'
import { readPid, runningStatus, waitForExit } from '../daemon-process.js'
import { offlineReset } from '../offline-reset.js'

const STOP_TIMEOUT_MS = 15_000

export const stop: Command = {
  name: 'stop',
  summary: 'stop the router (containers keep their network set-up)',
  usage: 'usage: weft stop',
  async run(args, ctx) {
    parseFlags('stop', args, {}, false)
    const status = await runningStatus(ctx.api)
    if (!status) {
      ctx.out('weft is not running')
      return 0
    }
    await ctx.api.stop(false)
    if (!(await waitForExit(status.router.pid, STOP_TIMEOUT_MS))) throw new CliError(`the router (pid ${status.router.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`)
    ctx.out('weft stopped')
    return 0
  },
}

export const reset: Command = {
  name: 'reset',
  summary: 'stop the router and remove its bridge, TAP, containers and stored state',
  usage: `usage: weft reset [--bridge NAME] [--tap NAME]
  --bridge NAME   bridge to remove when the router is not running (default ${DEFAULT_BRIDGE})
  --tap NAME      TAP to remove when the router is not running (default ${DEFAULT_TAP})`,
  async run(args, ctx) {
    const { values } = parseFlags('reset', args, { bridge: { type: 'string' }, tap: { type: 'string' } }, false)
    const status = await runningStatus(ctx.api)
    if (status) {
      await ctx.api.stop(true)
      if (!(await waitForExit(status.router.pid, STOP_TIMEOUT_MS))) throw new CliError(`the router (pid ${status.router.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`)
    } else {
      const pid = readPid(ctx.home)
      if (pid && !(await waitForExit(pid, 0))) throw new CliError(`a router (pid ${pid}) holds ${ctx.home} but does not answer: stop it first (kill ${pid})`)
      await offlineReset(ctx.home, values.bridge ?? DEFAULT_BRIDGE, values.tap ?? DEFAULT_TAP, ctx.env)
      rmSync(join(ctx.home, PID_FILE), { force: true })
    }
    ctx.out('weft reset: router stopped; bridge, TAP, containers and stored state removed')
    return 0
  },
}
