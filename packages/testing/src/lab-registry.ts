/**
 * Labs not yet destroyed, so a test run that ends early (an uncaught error, process.exit, Ctrl-C,
 * SIGTERM from the runner) still removes its namespaces and kills its processes.
 */

/** What the registry needs from a lab. */
export interface RegisteredLab {
  /** Best-effort synchronous teardown (safe inside `process.on('exit')`). */
  destroySync(): void
}

const live = new Set<RegisteredLab>()
let installed = false

function destroyAllSync (): void {
  for (const lab of [...live]) {
    try { lab.destroySync() } catch {}
    live.delete(lab)
  }
}

function onSignal (signal: NodeJS.Signals): void {
  destroyAllSync()
  // Alone on this signal: restore the default action and re-raise it, so the process still dies
  // of the signal. With other listeners, they decide what happens next.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal)
    process.kill(process.pid, signal)
  }
}

function install (): void {
  if (installed) return
  installed = true
  process.on('exit', destroyAllSync)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

/** Remembers a lab until `unregisterLab`. */
export function registerLab (lab: RegisteredLab): void {
  install()
  live.add(lab)
}

/** Forgets a lab (it has been destroyed). */
export function unregisterLab (lab: RegisteredLab): void {
  live.delete(lab)
}

/** How many labs of this process are not destroyed yet. */
export function liveLabCount (): number {
  return live.size
}
