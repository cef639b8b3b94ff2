import http from 'node:http'
import { join } from 'node:path'
import { REQUEST_TIMEOUT_MS, SOCKET_NAME } from './constants.js'
import { ApiError } from './errors.js'
import type {
  ContainerInfo, CreateContainerRequest, JoinInfo, StatusResponse,
  IpamStatusResponse, RmpeerResult,
} from './types.js'
import type { DnsLookupResponse, DnsStatusResponse } from './dns-types.js'

/** A thin client of the router's control API over its unix socket. */
export class ApiClient {
  readonly socketPath: string

  constructor(home: string) {
    this.socketPath = join(home, SOCKET_NAME)
  }

  request<T>(method: string, path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          method,
          path: `/v1${path}`,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let parsed: unknown
            try {
              parsed = text.length ? JSON.parse(text) : null
            } catch {
              reject(new ApiError('ERR_PROTOCOL', `the router answered ${method} ${path} with invalid JSON`, res.statusCode))
              return
            }
            const status = res.statusCode ?? 0
            if (status >= 200 && status < 300) {
              resolve(parsed as T)
              return
            }
            const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error
            reject(new ApiError(err?.code ?? 'ERR_INTERNAL', err?.message ?? `the router answered HTTP ${status}`, status))
          })
        },
      )
      req.on('timeout', () => req.destroy(new ApiError('ERR_PROTOCOL', `the router did not answer ${method} ${path} within ${timeoutMs} ms`)))
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof ApiError) reject(err)
        else if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
          reject(new ApiError('ERR_NOT_RUNNING', `weft is not running (no router at ${this.socketPath}): start it with 'weft launch'`))
        } else reject(new ApiError('ERR_PROTOCOL', `cannot reach the router at ${this.socketPath}: ${err.message}`))
      })
      if (payload) req.write(payload)
      req.end()
    })
  }

  status(): Promise<StatusResponse> {
    return this.request('GET', '/status')
  }

  join(): Promise<JoinInfo> {
    return this.request('GET', '/join')
  }

  connect(address: string): Promise<{ address: string }> {
    return this.request('POST', '/connect', { address })
  }

  forget(address: string): Promise<{ removed: boolean }> {
    return this.request('POST', '/forget', { address })
  }

  containers(): Promise<ContainerInfo[]> {
    return this.request('GET', '/containers')
  }

  container(name: string): Promise<ContainerInfo> {
    return this.request('GET', `/containers/${encodeURIComponent(name)}`)
  }

  createContainer(req: CreateContainerRequest): Promise<ContainerInfo> {
    return this.request('POST', '/containers', req)
  }

  setContainerPid(name: string, pid: number): Promise<ContainerInfo> {
    return this.request('POST', `/containers/${encodeURIComponent(name)}/pid`, { pid })
  }

  removeContainer(name: string): Promise<{ removed: boolean }> {
    return this.request('DELETE', `/containers/${encodeURIComponent(name)}`)
  }

  expose(cidr: string): Promise<{ exposed: string[] }> {
    return this.request('POST', '/expose', { cidr })
  }

  hide(cidr: string): Promise<{ exposed: string[] }> {
    return this.request('POST', '/hide', { cidr })
  }

  stop(reset = false): Promise<{ stopping: boolean }> {
    return this.request('POST', '/stop', { reset })
  }

  dnsStatus(): Promise<DnsStatusResponse> {
    return this.request('GET', '/dns')
  }

  dnsLookup(name: string): Promise<DnsLookupResponse> {
    return this.request('GET', `/dns/lookup/${encodeURIComponent(name)}`)
  }

  dnsAdd(name: string, addresses: string[]): Promise<{ added: number }> {
    return this.request('POST', '/dns/add', { name, addresses })
  }

  dnsRemove(name: string, addresses: string[]): Promise<{ removed: number }> {
    return this.request('POST', '/dns/remove', { name, addresses })
  }

  ipamStatus(): Promise<IpamStatusResponse> {
    return this.request('GET', '/ipam')
  }

  rmpeer(peer: string): Promise<RmpeerResult> {
    return this.request('POST', '/ipam/rmpeer', { peer })
  }
}
