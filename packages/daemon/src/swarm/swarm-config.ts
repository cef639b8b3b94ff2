import type { BootstrapList } from '@weft/swarm'
import { PUBLIC_BOOTSTRAP, isSwarmError, parseBootstrapList } from '@weft/swarm'
import { DaemonError } from '../errors.js'

/** `--swarm` settings: where the DHT starts. Null when the swarm is off. */
export interface SwarmConfig {
  readonly bootstrap: BootstrapList
}

export const SWARM_USAGE = `  --swarm                find peers by the network secret alone through Hyperswarm
                         (across NATs and firewalls); needs --swarm-bootstrap
  --swarm-bootstrap L    DHT bootstrap nodes HOST:PORT[,HOST:PORT...], or the word
                         '${PUBLIC_BOOTSTRAP}' for Hyperswarm's public nodes (never used unless named)`

/** Validates `--swarm` / `--swarm-bootstrap`; throws DaemonError ERR_CONFIG saying what to give. */
export function parseSwarmFlags(swarm: boolean | undefined, bootstrap: string | undefined): SwarmConfig | null {
  if (!swarm) {
    if (bootstrap !== undefined) throw new DaemonError('ERR_CONFIG', '--swarm-bootstrap is given without --swarm; add --swarm to find peers through the swarm')
    return null
  }
  if (bootstrap === undefined) {
    throw new DaemonError(
      'ERR_CONFIG',
      `--swarm needs --swarm-bootstrap HOST:PORT,... (your own DHT bootstrap nodes), or --swarm-bootstrap ${PUBLIC_BOOTSTRAP} to use Hyperswarm's public nodes`,
    )
  }
  try {
    return Object.freeze({ bootstrap: parseBootstrapList(bootstrap) })
  } catch (err) {
    if (isSwarmError(err)) throw new DaemonError('ERR_CONFIG', err.message)
    throw err
  }
}
