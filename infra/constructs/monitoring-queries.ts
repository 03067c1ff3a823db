import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface MonitoringQueriesProps {
  /** Where the runs' EMF objects land: every source type's function log group. */
  readonly pullerLogGroups: readonly logs.ILogGroup[];
  /** Where the dispatcher logs the stalled ids of each type. */
  readonly dispatcherLogGroup: logs.ILogGroup;
}

/** How many instances a ranking lists. */
export const RANKING_LIMIT = 25;

/**
 * The instances behind a per-type alarm, by the `SourceId` property each run's EMF
 * object carries (it is no metric dimension): each ranking saved under
 * `<stackName>/<what>` in Logs Insights' saved queries, and shown on the dashboard.
 */
const RANKINGS: Record<'lagging' | 'failing' | 'skipped', { title: string; query: logs.QueryStringProps }> = {
  lagging: {
    title: 'instances by current lag (s)',
    query: {
      fields: ['SourceType', 'SourceId', 'IngestionLagSeconds'],
      filterStatements: ['ispresent(SourceId) and ispresent(IngestionLagSeconds)'],
      statsStatements: ['latest(IngestionLagSeconds) as lagSeconds by SourceType, SourceId'],
      sort: 'lagSeconds desc',
    },
  },
  failing: {
    title: 'instances by failed runs',
    query: {
      fields: ['SourceType', 'SourceId', 'RunsFailed'],
      filterStatements: ['ispresent(SourceId) and RunsFailed > 0'],
      statsStatements: ['sum(RunsFailed) as failedRuns, latest(@timestamp) as lastFailure by SourceType, SourceId'],
      sort: 'failedRuns desc',
    },
  },
  skipped: {
    title: 'instances by skipped runs (lease held)',
    query: {
      fields: ['SourceType', 'SourceId', 'RunsSkipped'],
      filterStatements: ['ispresent(SourceId) and RunsSkipped > 0'],
      statsStatements: ['sum(RunsSkipped) as skippedRuns, latest(@timestamp) as lastSkip by SourceType, SourceId'],
      sort: 'skippedRuns desc',
    },
  },
};

/** The saved queries: the three rankings over the pullers' logs, and the dispatcher's stalled-ids lines. */
export class MonitoringQueries extends Construct {
  /** What each query is saved as in Logs Insights: alarm descriptions name these. */
  readonly names: { readonly lagging: string; readonly failing: string; readonly skipped: string; readonly stalled: string };
  private readonly strings = new Map<string, { title: string; query: string; logGroups: readonly logs.ILogGroup[] }>();

  constructor(scope: Construct, id: string, props: MonitoringQueriesProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    this.names = {
      lagging: `${prefix}/lagging-instances`,
      failing: `${prefix}/failing-instances`,
      skipped: `${prefix}/skipped-instances`,
      stalled: `${prefix}/stalled-instances`,
    };
    for (const [what, ranking] of Object.entries(RANKINGS) as [keyof typeof RANKINGS, (typeof RANKINGS)[keyof typeof RANKINGS]][]) {
      this.save(what, this.names[what], ranking.title, new logs.QueryString({ ...ranking.query, limit: RANKING_LIMIT }), props.pullerLogGroups);
    }
    // The dispatcher's line per type every fifth minute: {sourceType, stalled: [ids], count}.
    const stalled = new logs.QueryString({
      fields: ['@timestamp', 'sourceType', 'count', '@message'],
      filterStatements: ['@message like /"stalled"/'],
      sort: '@timestamp desc',
      limit: RANKING_LIMIT,
    });
    this.save('stalled', this.names.stalled, 'stalled instances (dispatcher, every 5 minutes)', stalled, [props.dispatcherLogGroup]);
  }

  private save(id: string, name: string, title: string, query: logs.QueryString, logGroups: readonly logs.ILogGroup[]): void {
    new logs.QueryDefinition(this, id, { queryDefinitionName: name, queryString: query, logGroups: [...logGroups] });
    this.strings.set(id, { title, query: query.toString(), logGroups });
  }

  /** The dashboard's Logs Insights widgets, one per query over at least one log group. */
  widgets(): cloudwatch.LogQueryWidget[] {
    return [...this.strings.values()]
      .filter(({ logGroups }) => logGroups.length > 0)
      .map(({ title, query, logGroups }) =>
        new cloudwatch.LogQueryWidget({ title, queryString: query, logGroupNames: logGroups.map((group) => group.logGroupName), width: 6, height: 8 }),
      );
  }
}
