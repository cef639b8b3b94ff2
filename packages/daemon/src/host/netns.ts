/**
 * Network namespaces: named ones under /run/netns (what `ip netns` manages) and those of
 * processes, reached by PID through /proc/PID/ns/net.
 *
 * Existence is checked on the file system of the calling process. A router started with
 * `ip netns exec` lives in its own mount namespace, where namespaces it names are visible to
 * it and its children but not outside; `nsenter --net=` keeps the caller's mounts.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { NETNS_RUN_DIR, PID_MAX, PID_NETNS_HANDLE_PREFIX, PROC_DIR } from './constants.js'
import { HostError } from './host-error.js'
import { assertNetnsName } from './names.js'
import { runIp, type HostComponents } from './run-ip.js'

/** A namespace to attach to: a name under /run/netns, or a process's by PID. */
export interface NetnsTarget {
  kind: 'name' | 'pid'
  value: string
}

const PID_RE = /^[1-9][0-9]{0,6}$/

function netnsPath (name: string): string {
  return join(NETNS_RUN_DIR, name)
}

/** True if a named namespace exists (`/run/netns/NAME`). */
export async function netnsExists (name: string): Promise<boolean> {
  assertNetnsName(name)
  return existsSync(netnsPath(name))
}

/** Creates a named namespace; `ERR_CONTAINER_EXISTS` if the name is taken. */
export async function createNetns (name: string, components: HostComponents = {}): Promise<void> {
  assertNetnsName(name)
  if (existsSync(netnsPath(name))) {
    throw new HostError('ERR_CONTAINER_EXISTS', `network namespace ${name} exists already: remove it (ip netns del ${name}) or choose another name`)
  }
  await runIp(['netns', 'add', name], {}, components)
}

/** Deletes a named namespace; nothing happens if it is not there. */
export async function deleteNetns (name: string, components: HostComponents = {}): Promise<void> {
  assertNetnsName(name)
  if (!existsSync(netnsPath(name))) return
  await runIp(['netns', 'del', name], {}, components)
}

function pidNotFound (pid: string): HostError {
  return new HostError('ERR_NETNS_NOT_FOUND', `no process with PID ${pid} (or it has exited): give the PID of a running process or a namespace name from 'ip netns list'`)
}

function nameNotFound (name: string): HostError {
  return new HostError('ERR_NETNS_NOT_FOUND', `no network namespace named ${name} in ${NETNS_RUN_DIR}: see 'ip netns list', or give a PID`)
}

/**
 * What the user typed (`weft attach SPEC`) as a namespace target: digits are a PID (its
 * /proc/PID/ns/net must exist), anything else a name under /run/netns. Throws
 * `ERR_NETNS_NOT_FOUND` (or `ERR_NAME` for a malformed name).
 */
export function resolveNetnsTarget (spec: string): NetnsTarget {
  const text = typeof spec === 'string' ? spec.trim() : ''
  if (/^[0-9]+$/.test(text)) {
    if (!PID_RE.test(text) || Number(text) > PID_MAX) throw pidNotFound(text)
    if (!existsSync(join(PROC_DIR, text, 'ns', 'net'))) throw pidNotFound(text)
    return { kind: 'pid', value: text }
  }
  assertNetnsName(text)
  if (!existsSync(netnsPath(text))) throw nameNotFound(text)
  return { kind: 'name', value: text }
}

/** Throws `ERR_NETNS_NOT_FOUND` unless the target exists now (`ERR_NAME` if malformed). */
export function assertTargetExists (target: NetnsTarget): void {
  if (target.kind === 'pid') {
    if (!PID_RE.test(target.value) || Number(target.value) > PID_MAX) throw pidNotFound(String(target.value))
    if (!existsSync(join(PROC_DIR, target.value, 'ns', 'net'))) throw pidNotFound(target.value)
    return
  }
  if (target.kind !== 'name') throw new HostError('ERR_NETNS_NOT_FOUND', `namespace target kind ${JSON.stringify(target.kind)} is neither 'name' nor 'pid'`)
  assertNetnsName(target.value)
  if (!existsSync(netnsPath(target.value))) throw nameNotFound(target.value)
}

/**
 * Runs `fn` with a name `ip -n` accepts for the target. A PID target gets a temporary handle
 * (`ip netns attach weft-pid-PID-XXXXXX PID`), removed afterwards; removing a handle only
 * unmounts it, the namespace lives on with its process.
 */
export async function withNetnsName<T> (target: NetnsTarget, fn: (name: string) => Promise<T>, components: HostComponents = {}): Promise<T> {
  assertTargetExists(target)
  if (target.kind === 'name') return await fn(target.value)
  const handle = `${PID_NETNS_HANDLE_PREFIX}${target.value}-${randomBytes(3).toString('hex')}`
  await runIp(['netns', 'attach', handle, target.value], {}, components)
  try {
    return await fn(handle)
  } finally {
    await runIp(['netns', 'del', handle], { allowFail: true }, components)
  }
}
