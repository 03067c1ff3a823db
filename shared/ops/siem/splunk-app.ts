import type { SourceDefinition } from '../../providers/definition';
import type { SplunkEventtype, SplunkFacts } from '../../providers/siem';
import { fill, readTemplate, readTemplateTree } from './templates';

type Definition = Pick<SourceDefinition, 'type' | 'siem'>;
interface Source {
  type: string;
  splunk: SplunkFacts;
}

/** The settings files rendered from the definitions; the rest of the app is siem/splunk/cloudtap/ as it is. */
const RENDERED = ['default/props.conf', 'default/transforms.conf', 'default/eventtypes.conf', 'default/tags.conf'] as const;

/**
 * The Splunk app, file by file (path within the app folder -> text): the
 * generic files of siem/splunk/cloudtap/, and the sourcetypes, index-time
 * routing, event types and tags of every source type, rendered from the
 * templates in siem/splunk/templates/ and the facts each definition declares.
 */
export function splunkAppFiles(definitions: readonly Definition[]): Map<string, string> {
  const sources = checkedSources(definitions);
  const rendered: Record<(typeof RENDERED)[number], string> = {
    'default/props.conf': props(sources),
    'default/transforms.conf': fill(readTemplate('splunk/templates/transforms.conf'), { transforms: stanzas(sources.map(transform)) }, 'transforms.conf'),
    'default/eventtypes.conf': fill(
      readTemplate('splunk/templates/eventtypes.conf'),
      {
        eventtypes: stanzas(sources.flatMap((source) => source.splunk.eventtypes.map((eventtype) => eventtypeStanza(source, eventtype)))),
        sourcetypes: sources.map((source) => `"${source.splunk.sourcetype}"`).join(', '),
      },
      'eventtypes.conf',
    ),
    'default/tags.conf': fill(
      readTemplate('splunk/templates/tags.conf'),
      { tags: stanzas(sources.flatMap((source) => source.splunk.eventtypes.map((eventtype) => tagsStanza(source, eventtype)))) },
      'tags.conf',
    ),
  };
  const files = readTemplateTree('splunk/cloudtap');
  for (const path of RENDERED) {
    if (files.has(path)) throw new Error(`siem/splunk/cloudtap/${path} is rendered from the source definitions: delete the file`);
    files.set(path, rendered[path]);
  }
  return files;
}

/** `acme-audit` -> `acme_audit`, the part of a stanza name that names a source type. */
const stanzaPart = (type: string) => type.replace(/[^A-Za-z0-9]+/g, '_');
const transformName = (type: string) => `cloudtap_sourcetype_${stanzaPart(type)}`;
const eventtypeName = (type: string, eventtype: SplunkEventtype) => `cloudtap_${stanzaPart(type)}${eventtype.name ? `_${eventtype.name}` : ''}`;
const stanzas = (list: string[]) => list.join('\n\n');

function props(sources: readonly Source[]): string {
  const template = readTemplate('splunk/templates/sourcetype.conf');
  const sourcetypes = sources.map(({ type, splunk }) => {
    const stanza = fill(
      template,
      {
        sourcetype: splunk.sourcetype,
        description: splunk.description,
        vendor: splunk.vendor,
        product: splunk.product,
        vendor_product: splunk.vendorProduct ?? `${splunk.vendor} ${splunk.product}`,
      },
      `sourcetype.conf for ${type}`,
    );
    return withSettings(stanza, splunk.props ?? {});
  });
  return fill(
    readTemplate('splunk/templates/props.conf'),
    { transforms: sources.map((source) => transformName(source.type)).join(', '), sourcetypes: stanzas(sourcetypes) },
    'props.conf',
  );
}

/** A stanza with each setting replaced where the template has it, added where it has not. */
function withSettings(stanza: string, settings: Readonly<Record<string, string>>): string {
  const lines = stanza.trimEnd().split('\n');
  for (const [key, value] of Object.entries(settings)) {
    const at = lines.findIndex((line) => line.startsWith(`${key} =`));
    lines.splice(at < 0 ? lines.length : at, at < 0 ? 0 : 1, `${key} = ${value}`);
  }
  return lines.join('\n');
}

/** Index time: a line of the NDJSON file whose `cloudtap.source_type` is this type gets its sourcetype. */
function transform({ type, splunk }: Source): string {
  return [
    `[${transformName(type)}]`,
    `REGEX = "source_type"\\s*:\\s*"${type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`,
    'DEST_KEY = MetaData:Sourcetype',
    `FORMAT = sourcetype::${splunk.sourcetype}`,
  ].join('\n');
}

function eventtypeStanza({ type, splunk }: Source, eventtype: SplunkEventtype): string {
  const where = eventtype.where ? ` ${eventtype.where}` : '';
  return [
    `[${eventtypeName(type, eventtype)}]`,
    `search = sourcetype="${splunk.sourcetype}"${where} NOT event.kind=pipeline_error`,
    `description = ${eventtype.description}`,
  ].join('\n');
}

function tagsStanza({ type }: Source, eventtype: SplunkEventtype): string {
  return [`[eventtype=${eventtypeName(type, eventtype)}]`, ...eventtype.tags.map((tag) => `${tag} = enabled`)].join('\n');
}

/** The definitions' Splunk facts, refused where they would make a broken or ambiguous app. */
function checkedSources(definitions: readonly Definition[]): Source[] {
  const sourcetypes = new Map<string, string>([['cloudtap:ndjson', 'the NDJSON file sourcetype']]);
  return definitions.map(({ type, siem: { splunk } }) => {
    const refuse = (problem: string): never => {
      throw new Error(`${type}: siem.splunk: ${problem}`);
    };
    if (!/^[\w.:-]+$/.test(splunk.sourcetype)) refuse(`sourcetype ${JSON.stringify(splunk.sourcetype)} may hold only letters, digits and _ . : -`);
    const taken = sourcetypes.get(splunk.sourcetype);
    if (taken) refuse(`sourcetype ${splunk.sourcetype} is already ${taken}`);
    sourcetypes.set(splunk.sourcetype, `the sourcetype of ${type}`);
    // The CIM values are SPL string literals; every value is one line of a .conf file.
    const cim = { vendor: splunk.vendor, product: splunk.product, ...(splunk.vendorProduct === undefined ? {} : { vendorProduct: splunk.vendorProduct }) };
    for (const [name, value] of Object.entries(cim)) if (!value || /["\r\n]/.test(value)) refuse(`${name} must be one line without double quotes`);
    const lines = [splunk.description, ...Object.entries(splunk.props ?? {}).flat(), ...splunk.eventtypes.flatMap((e) => [e.description, e.where ?? ''])];
    if (lines.some((value) => /[\r\n]/.test(value))) refuse('a .conf value must be one line');
    const names = splunk.eventtypes.map((eventtype) => eventtypeName(type, eventtype));
    if (new Set(names).size !== names.length) refuse(`event type names repeat: ${names.join(', ')}`);
    if (splunk.eventtypes.some((eventtype) => eventtype.tags.some((tag) => !/^\w+$/.test(tag)))) refuse('a tag may hold only letters, digits and _');
    return { type, splunk };
  });
}
