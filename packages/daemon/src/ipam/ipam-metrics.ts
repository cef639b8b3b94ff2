import { Counter, Gauge, type Registry } from 'prom-client'
import type { IpamService } from './ipam-service.js'

/** Prometheus metrics of IPAM, read from the allocator at scrape time. */
export function registerIpamMetrics(registry: Registry, ipam: IpamService): void {
  const registers = [registry]
  const status = () => ipam.allocator.status()
  const stats = () => ipam.allocator.stats()
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(value()) } })
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({ name, help, registers, collect() { this.set(value()) } })
  counter('weft_ipam_allocations_total', 'Addresses allocated or claimed for containers by IPAM since start', () => ipam.counters.allocations)
  counter('weft_ipam_allocation_failures_total', 'Container creations whose IPAM allocation failed', () => ipam.counters.allocationFailures)
  counter('weft_ipam_readdressed_total', 'Containers given a new address after theirs was revoked', () => ipam.counters.readdressed)
  gauge('weft_ipam_allocated_addresses', 'Addresses allocated to containers on this peer', () => status().self.used)
  gauge('weft_ipam_owned_addresses', 'Addresses of the range this peer owns', () => status().self.owned)
  gauge('weft_ipam_free_addresses', 'Addresses this peer owns and has not allocated', () => status().self.free)
  gauge('weft_ipam_waiting_allocations', 'Allocations waiting for a ring, consensus or donation', () => status().waiting)
  counter('weft_ipam_conflicts_total', 'Ring entries seen at one version with different content', () => stats().conflicts)
  counter('weft_ipam_revoked_total', 'Allocations revoked because their space went to another peer', () => stats().revoked)
  counter('weft_ipam_taken_over_addresses_total', 'Addresses taken over from removed peers (rmpeer)', () => stats().takenOver)
  counter('weft_ipam_donated_addresses_total', 'Addresses given to other peers', () => stats().donationsGiven)
}
