/**
 * The `weft` command line: a thin client of the router's control API, plus starting the
 * router process itself (`weft launch`).
 *
 * @example
 * const code = await main(['status', '--json'], process.env)
 */
export { main, COMMANDS } from './cli.js'
export type { Command, CliContext } from './command.js'
export { CliError } from './errors.js'
