import type { Alert } from '../core/ports/detection';

/**
 * The message text itself is the detection engine's (what, who, from where,
 * on what, when, rule and why, and queries to find the event). The router
 * adds the one thing only the deployment knows: a link into the SIEM, from
 * the `alerts.siemLink` template whose `{event.id}` takes the matched event's
 * id, URL-encoded.
 */
export const SIEM_LINK_PLACEHOLDER = '{event.id}';

export function siemLinkFor(alert: Alert, template: string): string {
  return template.replaceAll(SIEM_LINK_PLACEHOLDER, encodeURIComponent(alert.event.event.id));
}

/** The alert with `Open in SIEM: <url>` closing its text; unchanged if the link is already there. */
export function withSiemLink(alert: Alert, template: string | undefined): Alert {
  if (!template) return alert;
  const link = siemLinkFor(alert, template);
  if (alert.message.text.includes(link)) return alert;
  return { ...alert, message: { ...alert.message, text: `${alert.message.text}\nOpen in SIEM: ${link}` } };
}

/** Cut to `max` characters (code points), ending with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
