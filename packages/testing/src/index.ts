/**
 * @weft/testing: the network-namespace lab every cross-host test runs in, and a simulated mesh
 * of routers (`createSimMesh`: the real gossip engine, topology and routes over netsim on a
 * virtual clock) for tests and benchmarks of the mesh at a scale no lab reaches.
 *
 * A lab is a few "hosts" (network namespaces) joined by veth pairs to one bridge in a "switch"
 * namespace, on a private underlay (198.18.0.0/24 by default) with no route out of the machine.
 * Real `weft` routers run inside; `destroy()` kills every process and deletes every namespace
 * named with the lab's per-run prefix, including the container namespaces weft made.
 *
 * @example
 * ```ts
 * import { createLab, waitFor } from '@weft/testing'
 *
 * const lab = await createLab({ hosts: ['h1', 'h2'] })
 * try {
 *   const [h1, h2] = lab.hosts()
 *   await h1.weft(['launch'], { env: { WEFT_PASSWORD: 'secret-123' } })
 *   await h2.weft(['launch', h1.address], { env: { WEFT_PASSWORD: 'secret-123' } })
 *   await waitFor(async () => await h1.ping(h2.address), { timeoutMs: 5000, what: 'h2 to answer' })
 *   await lab.blockAll(h1, h2) // cut the underlay link between them
 * } finally {
 *   await lab.destroy()
 * }
 * ```
 */
export { createLab, withLab, Lab, type LabInit } from './lab.js'
export { createNatLab, NatLab, natRules, type NatLabInit, type NatKind } from './nat-lab.js'
export { LabHost, type PingOptions } from './lab-host.js'
export type { LabProcess, ExitStatus } from './lab-process.js'
export type { ExecResult, ExecOptions, SpawnOptions } from './run-command.js'
export type { Capture, CaptureOptions } from './capture.js'
export { readPcap, type Pcap } from './read-pcap.js'
export { waitFor, type WaitForOptions } from './wait-for.js'
export { settle, runUntilAsync, runForAsync } from './virtual-time.js'
export { sweepStaleLabs, isPidAlive } from './sweep-stale-labs.js'
export { isLabNamespace, isLabPrefix, labPrefixPid, makeLabPrefix } from './lab-names.js'
export { WEFT_BIN } from './weft-bin.js'
export { LabError, type LabErrorCode } from './errors.js'
export { DEFAULT_SUBNET, DEFAULT_MTU, DEFAULT_EXEC_TIMEOUT_MS, NFT_TABLE } from './constants.js'
export { SimMesh, createSimMesh, type SimMeshInit, type RunUntilConvergedInit, type SimRoute } from './sim-mesh.js'
export { SimRouter, type SimRouterInit, type SimRouterComponents } from './sim-mesh-router.js'
export { SIM_MESH_SHAPES, buildSimMeshEdges, type SimMeshShape, type SimMeshEdge } from './sim-mesh-graphs.js'
export type { SimTrafficCounters } from './sim-mesh-link.js'
export { linkComponents, referenceDistances, treeBisection } from './sim-mesh-reference.js'
export { SimMeshError, type SimMeshErrorCode } from './sim-mesh-error.js'
export * from './sim-mesh-constants.js'
