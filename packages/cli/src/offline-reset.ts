import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ContainerManager, DEFAULT_MTU, DEFAULT_NETNS_PREFIX, NETNS_ETC_DIR, createLogger, deleteLink, removeDnsRouting, removeNetnsResolvConf } from '@weft/daemon'
import { openStore } from '@weft/store'

/** `weft reset` with no router running: the same clean-up the router does, from the store. */
export async function offlineReset(home: string, bridge: string, tap: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (existsSync(join(home, 'db'))) {
    const logger = createLogger('warn', 'reset')
    const store = openStore({ home })
    try {
      const containers = new ContainerManager(
        { bridge, mtu: DEFAULT_MTU, netnsPrefix: env.WEFT_NETNS_PREFIX ?? DEFAULT_NETNS_PREFIX, vethSalt: '' },
        store, logger,
      )
      containers.onEvent((e) => (e.container.ownsNetns ? removeNetnsResolvConf(NETNS_ETC_DIR, e.container.netns) : undefined))
      await containers.removeAll()
    } finally {
      await store.close()
    }
    rmSync(join(home, 'db'), { recursive: true, force: true })
  }
  await deleteLink(tap)
  await deleteLink(bridge)
  await removeDnsRouting()
}
