/**
 * Everything the emulated service holds: the three record tables and the counters. Routes
 * change it; the state file journals each change the tables report.
 */
import type { DeviceRegistrationState } from '../dps/contract/index.js';
import type { StoredRecord } from './records/normalize-record.js';
import type { RecordKind } from './records/record-kind.js';
import { RecordStore, type StoreChange } from './store/record-store.js';
import { StatsCounters, type EmulatorStats } from './stats.js';

/** A device's registration record, with the group it registered through (if any). */
export interface StoredRegistration {
  state: DeviceRegistrationState;
  enrollmentGroupId?: string;
}

/** The tables the state file journals. */
export type TableName = 'enrollments' | 'enrollmentGroups' | 'registrations';

/** Told of each change to any table. */
export type StateChangeListener = (
  table: TableName,
  change: StoreChange<StoredRecord> | StoreChange<StoredRegistration>,
) => void;

/** The tables and counters of one emulated DPS. */
export class ServiceState {
  readonly enrollments = new RecordStore<StoredRecord>();
  readonly enrollmentGroups = new RecordStore<StoredRecord>();
  readonly registrations = new RecordStore<StoredRegistration>();
  readonly counters = new StatsCounters();

  storeFor(kind: RecordKind): RecordStore<StoredRecord> {
    return kind.isGroup ? this.enrollmentGroups : this.enrollments;
  }

  /** Tells `listener` of every change to any table; the state file journals them. */
  onChange(listener: StateChangeListener | undefined): void {
    this.enrollments.onChange = listener && ((change) => listener('enrollments', change));
    this.enrollmentGroups.onChange = listener && ((change) => listener('enrollmentGroups', change));
    this.registrations.onChange = listener && ((change) => listener('registrations', change));
  }

  stats(): EmulatorStats {
    return this.counters.snapshot(this.enrollments.size, this.enrollmentGroups.size);
  }

  /** Forgets every record and counter. */
  clear(): void {
    this.enrollments.clear();
    this.enrollmentGroups.clear();
    this.registrations.clear();
    this.counters.reset();
  }
}
