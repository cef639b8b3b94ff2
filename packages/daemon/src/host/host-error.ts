export type HostErrorCode =
  /** An `ip` command failed; the message holds the command line and its stderr. */
  | 'ERR_HOST_COMMAND'
  /** The network namespace (name or PID) to attach to does not exist. */
  | 'ERR_NETNS_NOT_FOUND'
  /** The namespace or host-side link to create exists already. */
  | 'ERR_CONTAINER_EXISTS'
  /** An address/prefix string is malformed. */
  | 'ERR_BAD_CIDR'
  /** An interface or namespace name is malformed. */
  | 'ERR_NAME'
  /** An MTU is not an integer in 1-65535. */
  | 'ERR_BAD_MTU'
  /** A link exists but is of the wrong kind (e.g. the bridge name is taken by a non-bridge). */
  | 'ERR_LINK_KIND'

/** A failure of host plumbing (links, namespaces, addresses). */
export class HostError extends Error {
  override readonly name = 'HostError'
  /** For ERR_HOST_COMMAND: the command line run and what it wrote to stderr. */
  readonly command?: string
  readonly stderr?: string

  constructor (readonly code: HostErrorCode, message: string, detail: { command?: string; stderr?: string; cause?: unknown } = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause })
    if (detail.command !== undefined) this.command = detail.command
    if (detail.stderr !== undefined) this.stderr = detail.stderr
  }
}
