/**
 * The tables of lib/tables.ts, encrypted with the stack's customer-managed key. Their construct ids are
 * the table keys under `Storage`: the stack test pins the logical ids, since a new id replaces a table.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENV } from '../environment.ts';
import { TABLES, TABLE_KEYS, type TableDef, type TableKey } from '../tables.ts';
import type { TableBinding } from './pipeline-function.ts';

export interface StorageProps {
  /** The stack's customer-managed key: every table is encrypted with it. */
  readonly key: IKey;
  /** Physical names are `<prefix><logicalName>` (lib/tables.ts). */
  readonly prefix: string;
  /** Deletion protection on, and tables retained when the stack goes. */
  readonly deletionProtection: boolean;
}

/** The environment variable through which handlers learn each table's name (the tables functions are given). */
export const TABLE_ENV = { events: ENV.eventsTable, graph: ENV.graphTable, impacts: ENV.impactsTable, contacts: ENV.contactsTable } as const;
export type BindableTable = keyof typeof TABLE_ENV;

const attr = (k: { name: string; type: 'S' | 'N' }) => ({ name: k.name, type: k.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });

export class Storage extends Construct {
  readonly tables: Record<TableKey, TableV2>;
  /** What `PipelineFunction.bindTable` takes, per table functions may be given. */
  readonly bindings: Record<BindableTable, TableBinding>;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.tables = Object.fromEntries(
      TABLE_KEYS.map((key) => {
        const def: TableDef = TABLES[key];
        const table = new TableV2(this, key, {
          tableName: `${props.prefix}${def.logicalName}`,
          partitionKey: attr(def.partitionKey),
          ...(def.sortKey ? { sortKey: attr(def.sortKey) } : {}),
          billing: Billing.onDemand(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: props.deletionProtection,
          removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          encryption: TableEncryptionV2.customerManagedKey(props.key),
          ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
          ...(def.stream ? { dynamoStream: def.stream === 'NEW_IMAGE' ? StreamViewType.NEW_IMAGE : StreamViewType.NEW_AND_OLD_IMAGES } : {}),
          globalSecondaryIndexes: (def.globalIndexes ?? []).map((i) => ({
            indexName: i.indexName,
            partitionKey: attr(i.partitionKey),
            ...(i.sortKey ? { sortKey: attr(i.sortKey) } : {}),
          })),
        });
        return [key, table];
      }),
    ) as Record<TableKey, TableV2>;
    this.bindings = Object.fromEntries(
      (Object.keys(TABLE_ENV) as BindableTable[]).map((key) => [
        key,
        { table: this.tables[key], env: TABLE_ENV[key], indexed: ((TABLES[key] as TableDef).globalIndexes ?? []).length > 0 },
      ]),
    ) as Record<BindableTable, TableBinding>;
  }
}
