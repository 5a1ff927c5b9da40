import type { readLambdaConfig } from '../../config.ts';
import { systemClock } from '../clock.ts';
import { loadLinkSecret } from '../link-secret.ts';
import { createLinkSigner } from '../link-tokens.ts';
import { createSesSender } from '../ses/sender.ts';
import { createEmailDelivery } from './delivery.ts';

/** Email for a Lambda: the SES sender (with the configuration set that reports bounces) and signed links. */
export async function lambdaEmail(config: ReturnType<typeof readLambdaConfig>) {
  const signer = createLinkSigner(await loadLinkSecret(config.linkSecretArn));
  const sender = createSesSender({
    region: config.region,
    from: config.mailFrom,
    configurationSet: config.sesConfigurationSet,
    timeoutMs: 5000,
    now: systemClock.now,
  });
  return { signer, email: createEmailDelivery({ sender, signer, publicUrl: config.publicUrl }) };
}
