/**
 * The iotHubs cell: host names separated by `;`, `,` or whitespace. Manifests repeat one list on
 * row after row, so the last list read is remembered (one entry: memory stays flat).
 */
import { hostNameProblem, HUB_SEPARATORS } from './hosts.js';

/** Hubs of a cell, or the problem with the first bad one. */
export type HubList = { hubs: readonly string[] } | { problem: string };

/** Splits and checks iotHubs cells, remembering the last good one. */
export class HubListReader {
  private lastText = '';
  private lastHubs: readonly string[] = [];

  read(text: string): HubList {
    if (text === this.lastText) return { hubs: this.lastHubs };

    const hubs = text.split(HUB_SEPARATORS).filter((hub) => hub.length > 0);

    for (const hub of hubs) {
      const problem = hostNameProblem(hub);
      if (problem !== undefined) return { problem };
    }

    this.lastText = text;
    this.lastHubs = hubs;
    return { hubs };
  }
}
