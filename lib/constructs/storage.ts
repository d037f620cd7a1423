/** The tables of lib/tables.ts, encrypted with the stack's customer-managed key. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLES, TABLE_KEYS, type TableDef, type TableKey } from '../tables.ts';

export interface StorageProps {
  key: IKey;
  prefix: string;
  deletionProtection: boolean;
}

const attr = (k: { name: string; type: 'S' | 'N' }) => ({ name: k.name, type: k.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });

export class Storage extends Construct {
  readonly tables: Record<TableKey, TableV2>;

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
          globalSecondaryIndexes: (def.globalIndexes ?? []).map((i) => ({ indexName: i.indexName, partitionKey: attr(i.partitionKey), ...(i.sortKey ? { sortKey: attr(i.sortKey) } : {}) })),
        });
        return [key, table];
      }),
    ) as Record<TableKey, TableV2>;
  }
}
