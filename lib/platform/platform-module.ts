/**
 * The platform seam (DESIGN.md): a platform is one folder, `consumers/<platform>/`, exporting one module object of
 * this shape from its `platform.ts`. The composition root (consumers/platforms.ts) registers the modules; the sink,
 * replays and benches receive the model side (lib/model/registry.ts), the platform consumer groups the connector
 * side. Nothing else imports a platform folder.
 */
import type { Config } from '../config.js';
import type { CredentialsStore } from '../credentials/credentials-store.js';
import type { Logger } from '../logger.js';
import type { PlatformModel } from '../model/registry.js';
import type { Connector } from '../sync/connector.js';

/** What a connector is built from: the parsed config (each platform reads its own section) and the sealed credentials. */
export interface ConnectorDeps {
  config: Config;
  credentials: CredentialsStore;
  logger: Logger;
}

export interface ConnectorStack {
  connector: Connector;
  /** Releases what the connector holds (connection pools, browsers). */
  close(): Promise<void>;
}

export interface PlatformModule extends PlatformModel {
  /** The entities its connector emits (RawResult entity names), each covered by the mapper and the privacy policy. */
  readonly entities: readonly string[];
  createConnector(deps: ConnectorDeps): ConnectorStack;
}
