// Which round-trip time a peer reports for a link in its own record. Every change of the record
// is a new version that crosses every link of the mesh, so a measured RTT that only jitters
// (0 and 1 ms on a LAN, a few ms across the internet) must not change it at every refresh:
// the reported value moves only when the measurement left a band around it.

import { RTT_REPORT_MIN_CHANGE_MS, RTT_REPORT_MIN_CHANGE_FRACTION } from './constants.js'

/**
 * The RTT to report (whole ms) given the one reported now (`reported`, null or undefined: none)
 * and the latest measurement: the measurement, rounded, once it differs from the reported value
 * by more than RTT_REPORT_MIN_CHANGE_MS and RTT_REPORT_MIN_CHANGE_FRACTION of it; else the
 * reported value. A link with no measurement reports none.
 */
export function reportedRtt(reported: number | null | undefined, measured: number | null): number | null {
  if (measured === null || !Number.isFinite(measured)) return null
  const rounded = Math.max(0, Math.round(measured))
  if (reported === null || reported === undefined) return rounded
  const band = Math.max(RTT_REPORT_MIN_CHANGE_MS, reported * RTT_REPORT_MIN_CHANGE_FRACTION)
  return Math.abs(rounded - reported) > band ? rounded : reported
}
