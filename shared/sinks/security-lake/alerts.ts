import type { EcsDocument } from '../../ecs/document';
import type { Log } from '../../lib/logger';

/**
 * Security Lake gets the provider events only. cloudtap's own alerts (ECS `event.kind: alert`,
 * which the other sinks receive beside the events) are no API call or sign-in, and a custom
 * source holds one OCSF class; they reach the alert topic and bus as always. Left out here,
 * counted in the log, never silently.
 */
export function eventsForTheLake(documents: EcsDocument[], sink: string, log: Log): EcsDocument[] {
  const events = documents.filter((document) => document.event.kind !== 'alert');
  const alerts = documents.length - events.length;
  if (alerts > 0) log.info('security-lake: alerts are not written to Security Lake (they go to the alert topic and bus)', { sink, alerts });
  return events;
}
