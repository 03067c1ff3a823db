import type { Log } from '../../lib/logger';
import { validateOcsf, type OcsfRecord } from '../../ocsf/index';

/**
 * A document that lacks what its OCSF class requires is still delivered: the mapping names the
 * gap in `status_detail` and keeps the whole document in `unmapped`. Such records are counted
 * and logged here (counts only, never contents), so they are never lost silently. Info, not a
 * warning: some source types always lack an attribute (docs/ocsf.md lists each one's gaps), and
 * a warning on every batch would drown the ones that matter.
 */
export function reportIncomplete(records: Iterable<OcsfRecord>, sink: string, log: Log): number {
  let incomplete = 0;
  for (const record of records) if (validateOcsf(record).length > 0) incomplete++;
  if (incomplete > 0) log.info('security-lake: records delivered incomplete for their OCSF class (status_detail says what is missing)', { sink, records: incomplete });
  return incomplete;
}
