/**
 * The local DPS emulator: a separate wing that shares only `dps/contract` with the client.
 * Start it in-process with `startEmulator`, or from the command line with `dps-bulk emulator`.
 */
export { startEmulator } from './server.js';
export type { RunningEmulator } from './server.js';
export type { EmulatorOptions, BehaviorOptions, PolicyOptions } from './options.js';
export type { EmulatorStats } from './stats.js';
export type { FaultOptions, FaultTrigger } from './faults/fault-options.js';
export { parseFaultTrigger } from './faults/fault-options.js';
export type { Permission } from './auth/permissions.js';
export { ALL_PERMISSIONS, OWNER_POLICY_NAME } from './auth/permissions.js';
export { EmulatorOptionsError } from './settings.js';
export { StateFileError } from './state-file.js';
