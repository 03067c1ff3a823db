import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { DestinationConfig } from '../../shared/config/schema';
import type { Delivery } from './delivery-contract';
import { DeliveryToElastic } from './delivery-to-elastic';
import { DeliveryToS3 } from './delivery-to-s3';
import { DeliveryToSecurityLake } from './delivery-to-security-lake';
import { DeliveryToSplunk } from './delivery-to-splunk';

/** The delivery for `config.destination`, its stream, bucket and secret encrypted with `encryptionKey`. */
export function createDelivery(scope: Construct, id: string, destination: DestinationConfig, encryptionKey: kms.IKey): Delivery {
  switch (destination.type) {
    case 's3':
      return new DeliveryToS3(scope, id, { destination, encryptionKey });
    case 'splunk':
      return new DeliveryToSplunk(scope, id, { destination, encryptionKey });
    case 'elastic':
      return new DeliveryToElastic(scope, id, { destination, encryptionKey });
    case 'security-lake':
      return new DeliveryToSecurityLake(scope, id, { destination, encryptionKey });
  }
}
