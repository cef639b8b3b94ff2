import { DEFAULT_PORT, LAUNCH_USAGE, parseLaunchArgs } from '@weft/daemon'
import type { Command } from '../command.js'
import { CliError } from '../errors.js'
import { readPid, runForeground, runningStatus, startDetached } from '../daemon-process.js'

export const launch: Command = {
  name: 'launch',
  summary: 'start the router on this host (idempotent)',
  usage: LAUNCH_USAGE,
  async run(args, ctx) {
    let config
    try {
      config = parseLaunchArgs(args, { ...ctx.env, WEFT_HOME: ctx.home })
    } catch (err) {
      throw new CliError(`${(err as Error).message}`, 2, 'ERR_USAGE')
    }
    const running = await runningStatus(ctx.api)
    if (running) {
      ctx.out(`weft is already running on this host (peer ${running.router.shortId} '${running.router.nickname}', pid ${running.router.pid}); nothing to do`)
      return 0
    }
    const stalePid = readPid(ctx.home)
    if (stalePid) ctx.err(`weft: note: a router (pid ${stalePid}) did not stop cleanly; starting a new one`)
    if (config.foreground) return runForeground(ctx.home, args, ctx.env)
    const status = await startDetached(ctx.home, args, ctx.env, ctx.api)
    ctx.out(`weft router ${status.router.shortId} '${status.router.nickname}' is up (pid ${status.router.pid}, port ${status.router.controlPort})`)
    const join = await ctx.api.join()
    if (join.generatedSecret) {
      const addr = join.addresses[0] ?? 'THIS-HOST'
      const port = join.port === DEFAULT_PORT ? '' : `:${join.port}`
      ctx.out('no network secret was given, so one was generated and stored. To join other hosts, run on each:')
      ctx.out(`  WEFT_PASSWORD=${join.generatedSecret} weft launch ${addr}${port}`)
      ctx.out(`or keep it in a file readable only by root and use --password-file FILE`)
    }
    return 0
  },
}
