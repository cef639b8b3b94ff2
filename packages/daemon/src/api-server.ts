import { chmodSync, rmSync } from 'node:fs'
import http from 'node:http'
import type {
  ContainerInfo, CreateContainerRequest, DnsLookupResponse, DnsStatusResponse, IpamStatusResponse, JoinInfo, RmpeerResult, StatusResponse,
} from '@weft/api'
import {
  ApiError, MAX_REQUEST_BYTES, parseAddressRequest, parseCidrRequest, parseCreateContainer, parsePidRequest,
  parseStopRequest, parseContainerName, parseDnsName, parseDnsNameRequest, parseRmpeerRequest,
} from '@weft/api'
import type { Logger } from 'pino'
import { DaemonError } from './errors.js'
import { IPAM_HTTP_STATUS } from './ipam/ipam-http-status.js'

/** What the control API asks of the router. */
export interface RouterApi {
  status(): StatusResponse
  join(): JoinInfo
  connect(address: string): Promise<{ address: string }>
  forget(address: string): Promise<{ removed: boolean }>
  listContainers(): ContainerInfo[]
  getContainer(name: string): ContainerInfo
  createContainer(req: CreateContainerRequest): Promise<ContainerInfo>
  setContainerPid(name: string, pid: number): Promise<ContainerInfo>
  removeContainer(name: string): Promise<{ removed: boolean }>
  expose(cidr: string): Promise<{ exposed: string[] }>
  hide(cidr: string): Promise<{ exposed: string[] }>
  stop(reset: boolean): Promise<void>
  dnsStatus(): DnsStatusResponse
  dnsLookup(name: string): DnsLookupResponse
  dnsAdd(name: string, addresses: string[]): { added: number }
  dnsRemove(name: string, addresses: string[]): { removed: number }
  ipamStatus(): IpamStatusResponse
  rmpeer(peer: string): Promise<RmpeerResult>
}

type Handler = (body: unknown, param: string) => unknown

const HTTP_STATUS: Record<string, number> = {
  ERR_BAD_REQUEST: 400, ERR_CONFIG: 400, ERR_BAD_CIDR: 400, ERR_NAME: 400, ERR_NOT_FOUND: 404,
  ERR_NETNS_NOT_FOUND: 404, ERR_CONFLICT: 409, ERR_CONTAINER_EXISTS: 409,
  ...IPAM_HTTP_STATUS,
}

/** HTTP+JSON over the unix socket; one route table, every failure a JSON error body. */
export class ApiServer {
  private readonly server: http.Server
  private readonly routes: Array<[method: string, pattern: RegExp, handler: Handler]>

  constructor(private readonly api: RouterApi, private readonly logger: Logger) {
    const a = api
    this.routes = [
      ['GET', /^\/v1\/status$/, () => a.status()],
      ['GET', /^\/v1\/join$/, () => a.join()],
      ['POST', /^\/v1\/connect$/, (b) => a.connect(parseAddressRequest(b).address)],
      ['POST', /^\/v1\/forget$/, (b) => a.forget(parseAddressRequest(b).address)],
      ['GET', /^\/v1\/containers$/, () => a.listContainers()],
      ['POST', /^\/v1\/containers$/, (b) => a.createContainer(parseCreateContainer(b))],
      ['GET', /^\/v1\/containers\/([^/]+)$/, (_b, p) => a.getContainer(parseContainerName(p))],
      ['POST', /^\/v1\/containers\/([^/]+)\/pid$/, (b, p) => a.setContainerPid(parseContainerName(p), parsePidRequest(b).pid)],
      ['DELETE', /^\/v1\/containers\/([^/]+)$/, (_b, p) => a.removeContainer(parseContainerName(p))],
      ['POST', /^\/v1\/expose$/, (b) => a.expose(parseCidrRequest(b).cidr)],
      ['POST', /^\/v1\/hide$/, (b) => a.hide(parseCidrRequest(b).cidr)],
      ['GET', /^\/v1\/dns$/, () => a.dnsStatus()],
      ['GET', /^\/v1\/dns\/lookup\/([^/]+)$/, (_b, p) => a.dnsLookup(parseDnsName(p))],
      ['POST', /^\/v1\/dns\/add$/, (b) => { const r = parseDnsNameRequest(b, true); return a.dnsAdd(r.name, r.addresses) }],
      ['POST', /^\/v1\/dns\/remove$/, (b) => { const r = parseDnsNameRequest(b, false); return a.dnsRemove(r.name, r.addresses) }],
      ['GET', /^\/v1\/ipam$/, () => a.ipamStatus()],
      ['POST', /^\/v1\/ipam\/rmpeer$/, (b) => a.rmpeer(parseRmpeerRequest(b).peer)],
      ['POST', /^\/v1\/stop$/, async (b) => {
        const { reset } = parseStopRequest(b)
        setImmediate(() => void a.stop(reset))
        return { stopping: true }
      }],
    ]
    this.server = http.createServer((req, res) => void this.handle(req, res))
    this.server.requestTimeout = 60_000
  }

  async listen(socketPath: string): Promise<void> {
    rmSync(socketPath, { force: true })
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(socketPath, () => resolve())
    })
    chmodSync(socketPath, 0o600)
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = req.url ?? '/'
      const route = this.routes.find(([m, re]) => m === req.method && re.test(url))
      if (!route) throw new ApiError('ERR_NOT_FOUND', `no such API call: ${req.method} ${url.slice(0, 100)}`, 404)
      const param = decodeParam(route[1].exec(url)?.[1] ?? '')
      const body = await readJson(req)
      const result = await route[2](body, param)
      send(res, 200, result ?? {})
    } catch (err) {
      const e = err as Error & { code?: string }
      const code = e instanceof ApiError || e instanceof DaemonError || typeof e.code === 'string' ? String(e.code) : 'ERR_INTERNAL'
      const status = e instanceof ApiError && e.status ? e.status : HTTP_STATUS[code] ?? 500
      if (status >= 500) this.logger.error({ err: e.message, code }, 'api request failed')
      send(res, status, { error: { code, message: e.message } })
    }
  }
}

function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new ApiError('ERR_BAD_REQUEST', 'the request path is not valid percent-encoding', 400)
  }
}

/** Reads a JSON body; past MAX_REQUEST_BYTES it keeps draining (bounded memory) and answers 413. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_REQUEST_BYTES) chunks.push(c)
    })
    req.on('error', reject)
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) return reject(new ApiError('ERR_BAD_REQUEST', `request body over ${MAX_REQUEST_BYTES} bytes`, 413))
      if (size === 0) return resolve(undefined)
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(new ApiError('ERR_BAD_REQUEST', 'the request body is not valid JSON', 400))
      }
    })
  })
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length })
  res.end(data)
}
