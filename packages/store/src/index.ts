export type { AddonRecord, AddonState, AddonStore, AttachmentRecord, BackupRecord, BackupStatus } from './addon-store.js';
export type { AppRecord, AppStore } from './app-store.js';
export type {
  AcmHostRecord,
  AcmStatus,
  AcmeAccountRecord,
  CertificateRecord,
  CertificateSource,
  CertificateStore,
  NewCertificate,
} from './certificate-store.js';
export type { BuildRecord, BuildStatus, BuildStore } from './build-store.js';
export { DATABASE_FILE } from './database.js';
export type { DeployStore } from './deploy-store.js';
export type { DomainRecord, DomainStore } from './domain-store.js';
export { MAX_DRAINS_PER_APP } from './drain-store.js';
export type { DrainRecord, DrainStore } from './drain-store.js';
export type { EventListener, EventRecord, EventStore } from './event-store.js';
export type { NewSlug, SlugRecord, SlugRecordStore } from './slug-records.js';
export type { ReleaseSlugRow, SlugUsage } from './slug-usage.js';
export { createStore } from './store.js';
export type { Store } from './store.js';
export { generateToken, hashToken } from './token-store.js';
export type { NewToken, TokenRecord, TokenScope, TokenStore } from './token-store.js';
export type { UserRecord, UserRole, UserStore } from './user-store.js';
export { APP_PERMISSIONS } from './app-access-store.js';
export type { AppAccessRecord, AppAccessStore, AppPermission } from './app-access-store.js';
export type { ReleaseOutputStore } from './release-output-store.js';
export type { CouplingRecord, PipelineRecord, PipelineStore, PromotionRecord, PromotionTargetRecord, PromotionTargetStatus } from './pipeline-store.js';
export type { PostdeployStore } from './postdeploy-store.js';
export type { ReviewAppConfig, ReviewAppRecord, ReviewAppStore } from './review-app-store.js';
export type { MetricStore } from './metric-store.js';
export type { ReleaseListing } from './release-store.js';
