/** Stable error codes of the simulated mesh. */
export type SimMeshErrorCode =
  | 'ERR_SIM_MESH_ARGUMENT' // a bad SimMeshInit or router index
  | 'ERR_SIM_MESH_FRAME' // a simulated link received bytes that are not a valid frame

/** Misuse of the simulated mesh, or a malformed simulated frame; carries a stable `code`. */
export class SimMeshError extends Error {
  override readonly name = 'SimMeshError'

  constructor (readonly code: SimMeshErrorCode, message: string) {
    super(message)
  }
}
