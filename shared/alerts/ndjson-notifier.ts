import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { alertPayload } from './payload';
import type { Notifier } from './types';

/**
 * Local runs: alerts appended to an NDJSON file, one alert payload a line
 * (the same JSON EventBridge receives), fsynced before `publish` resolves so
 * an alert the router counts as published is on disk.
 */
export function createNdjsonNotifier(options: { file: string }): Notifier {
  return {
    name: 'ndjson',
    async publish(alerts) {
      if (alerts.length === 0) return [];
      await mkdir(dirname(options.file), { recursive: true });
      const handle = await open(options.file, 'a');
      try {
        await handle.writeFile(alerts.map((alert) => `${JSON.stringify(alertPayload(alert))}\n`).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return [];
    },
  };
}
