import http from 'node:http'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { StatusResponse } from '@weft/api'
import type { Logger } from 'pino'

/**
 * Prometheus metrics. Counters of control events are counted as they happen; data-path figures
 * are read from the router's status when scraped, so the data path never touches prom-client.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly handshakeFailures: Counter<'reason'>
  readonly badControlMessages: Counter
  readonly connectionsEstablished: Counter
  readonly duplicateConnections: Counter
  readonly rekeys: Counter
  readonly routeChanges: Counter
  readonly badRoutedMessages: Counter
  private server: http.Server | null = null

  constructor(status: () => StatusResponse) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'weft_process_' })
    this.handshakeFailures = new Counter({ name: 'weft_handshake_failures_total', help: 'Handshakes that failed, by reason', labelNames: ['reason'], registers })
    this.badControlMessages = new Counter({ name: 'weft_bad_control_messages_total', help: 'Authenticated control messages dropped as malformed', registers })
    this.connectionsEstablished = new Counter({ name: 'weft_connections_established_total', help: 'Connections that completed handshake and hello', registers })
    this.duplicateConnections = new Counter({ name: 'weft_duplicate_connections_total', help: 'Connections closed as duplicates of another to the same peer', registers })
    this.rekeys = new Counter({ name: 'weft_rekeys_total', help: 'Data sessions replaced by a rekey', registers })
    this.routeChanges = new Counter({ name: 'weft_route_changes_total', help: 'Times the route table changed', registers })
    this.badRoutedMessages = new Counter({ name: 'weft_bad_routed_messages_total', help: 'Routed control messages dropped (no route, ttl, malformed)', registers })
    new Counter({
      name: 'weft_relayed_bytes_total', help: 'Bytes this router forwarded for other peers', registers,
      collect() {
        this.reset()
        this.inc(status().relayed.bytes)
      },
    })
    new Gauge({
      name: 'weft_peers', help: 'Peers with an established connection', registers,
      collect() { this.set(status().peers.length) },
    })
    new Gauge({
      name: 'weft_connections', help: 'Control connections by state', labelNames: ['state'], registers,
      collect() {
        this.reset()
        for (const c of status().connections) this.inc({ state: c.state })
      },
    })
    // Cumulative figures kept by the data path, copied in at scrape time (a new session starts
    // its counters from zero, which Prometheus treats as a counter reset).
    const perPeer = (name: string, help: string, field: 'bytesSent' | 'bytesReceived' | 'packetsSent' | 'packetsReceived') =>
      new Counter({
        name, help, labelNames: ['peer'], registers,
        collect() {
          this.reset()
          for (const c of status().connections) if (c.peer && c.state === 'established') this.inc({ peer: c.peer.shortId }, c[field])
        },
      })
    perPeer('weft_peer_sent_bytes_total', 'Bytes sent to a peer on its current session', 'bytesSent')
    perPeer('weft_peer_received_bytes_total', 'Bytes received from a peer on its current session', 'bytesReceived')
    perPeer('weft_peer_sent_packets_total', 'Datagrams sent to a peer on its current session', 'packetsSent')
    perPeer('weft_peer_received_packets_total', 'Datagrams received from a peer on its current session', 'packetsReceived')
    new Counter({
      name: 'weft_dropped_packets_total', help: 'Packets or frames dropped by the data path, by reason', labelNames: ['reason'], registers,
      collect() {
        this.reset()
        for (const [reason, n] of Object.entries(status().drops)) this.inc({ reason }, n)
      },
    })
    new Gauge({
      name: 'weft_containers', help: 'Containers attached to this router', registers,
      collect() { this.set(status().containers) },
    })
  }

  async listen(host: string, port: number, logger: Logger): Promise<void> {
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('metrics are at /metrics\n')
        return
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(`${err.message}\n`),
      )
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    server.on('error', (err) => logger.error({ err: err.message }, 'metrics listener failed'))
    this.server = server
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
