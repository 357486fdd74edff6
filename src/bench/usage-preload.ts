/**
 * Preloaded into a measured child with `node --import`: when the child exits, writes its own
 * peak RSS and CPU time to the file named by BENCH_USAGE_PATH. The child's code is unchanged and
 * its stdout stays its own.
 */
import { writeFileSync } from 'node:fs';

import { USAGE_PATH_VARIABLE, type ProcessUsage } from './process-usage.js';

const usagePath = process.env[USAGE_PATH_VARIABLE];

if (usagePath !== undefined && usagePath !== '') {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report: ProcessUsage = {
      // resourceUsage() reports maxRSS in kilobytes and CPU times in microseconds.
      maxRssBytes: usage.maxRSS * 1024,
      userCpuMs: usage.userCPUTime / 1000,
      systemCpuMs: usage.systemCPUTime / 1000,
    };

    // Synchronous on purpose: nothing asynchronous runs in an 'exit' handler.
    writeFileSync(usagePath, JSON.stringify(report));
  });
}
