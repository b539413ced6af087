/**
 * Schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records how many have run. Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    maintenance INTEGER NOT NULL DEFAULT 0,
    buildpacks TEXT NOT NULL DEFAULT '[]',
    current_release INTEGER NOT NULL,
    config_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE config_versions (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    vars TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (app_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE slugs (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    checksum TEXT NOT NULL,
    process_types TEXT NOT NULL,
    buildpacks TEXT NOT NULL,
    commit_sha TEXT,
    size INTEGER NOT NULL,
    stack TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX slugs_checksum ON slugs(checksum);
  CREATE TABLE releases (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    slug_id TEXT REFERENCES slugs(id),
    config_version INTEGER NOT NULL,
    description TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, version),
    FOREIGN KEY (app_id, config_version) REFERENCES config_versions(app_id, version)
  );
  CREATE TABLE formation (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 0 AND 100),
    size TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (app_id, type)
  ) WITHOUT ROWID;
  CREATE TABLE builds (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    source_commit TEXT,
    slug_id TEXT REFERENCES slugs(id),
    release_id TEXT REFERENCES releases(id),
    actor TEXT NOT NULL,
    output TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX builds_app ON builds(app_id, created_at);
  CREATE TABLE drains (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (app_id, url)
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
  );
  -- The audit log outlives the apps it speaks of: no foreign key, the name is kept.
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_name TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX events_app ON events(app_name, id);
  `,
  `
  CREATE TABLE domains (
    hostname TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );
  CREATE INDEX domains_app ON domains(app_id);
  `,
  `
  -- What a release's release phase printed; only releases with a release phase have a row.
  CREATE TABLE release_outputs (
    release_id TEXT PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    output TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Releases may be superseded (skipped for a newer one) and keep why they failed. SQLite
  -- cannot alter a CHECK constraint, so the table is rebuilt (foreign keys are off while
  -- migrations run, so dropping the old table cascades nothing).
  CREATE TABLE releases_next (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    slug_id TEXT REFERENCES slugs(id),
    config_version INTEGER NOT NULL,
    description TEXT NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'superseded')),
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, version),
    FOREIGN KEY (app_id, config_version) REFERENCES config_versions(app_id, version)
  );
  INSERT INTO releases_next (id, app_id, version, slug_id, config_version, description, actor, status, reason, created_at, updated_at)
    SELECT id, app_id, version, slug_id, config_version, description, actor, status, NULL, created_at, updated_at FROM releases;
  DROP TABLE releases;
  ALTER TABLE releases_next RENAME TO releases;
  `,
  `
  -- Add-ons (backing services) and their attachments to apps. An attachment's URL lives
  -- only in the app's config vars (a release); the row names the provider's binding.
  CREATE TABLE addons (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    plan TEXT NOT NULL,
    provider TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('provisioning', 'provisioned', 'deprovisioning', 'failed')),
    state_reason TEXT,
    backup_schedule TEXT,
    backup_retention INTEGER NOT NULL DEFAULT 7,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX addons_app ON addons(app_id);
  CREATE TABLE addon_attachments (
    id TEXT PRIMARY KEY,
    addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    binding_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (app_id, name)
  );
  CREATE INDEX addon_attachments_addon ON addon_attachments(addon_id);
  CREATE TABLE addon_backups (
    id TEXT PRIMARY KEY,
    addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    scheduled INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    file TEXT,
    size INTEGER,
    sha256 TEXT,
    verified_tables INTEGER,
    verified_rows INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (addon_id, number)
  );
  `,
  `
  -- The edge: whether an app wants automatic certificates and plain HTTP redirected to
  -- HTTPS; certificates (uploaded, or issued by ACME); ACME's state per host name; the
  -- ACME account per directory. Private keys stay in this file (mode 0600).
  ALTER TABLE apps ADD COLUMN acm INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE apps ADD COLUMN redirect_https INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('uploaded', 'acm')),
    hostnames TEXT NOT NULL,
    chain TEXT NOT NULL,
    private_key TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before TEXT NOT NULL,
    not_after TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX certificates_app ON certificates(app_id);
  CREATE TABLE acm_hosts (
    hostname TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE acme_accounts (
    directory TEXT PRIMARY KEY,
    account_key TEXT NOT NULL,
    account_url TEXT,
    created_at TEXT NOT NULL
  );
  `,
  `
  -- Pipelines: apps coupled to stages, and promotions of one app's slug to the next stage.
  -- Promotions keep app names (as events do), so their history outlives the apps.
  CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE pipeline_couplings (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL UNIQUE REFERENCES apps(id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage IN ('review', 'development', 'staging', 'production')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX pipeline_couplings_pipeline ON pipeline_couplings(pipeline_id);
  CREATE TABLE pipeline_promotions (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    source_app_id TEXT NOT NULL,
    source_app_name TEXT NOT NULL,
    source_release_id TEXT NOT NULL,
    source_release_version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE pipeline_promotion_targets (
    id TEXT PRIMARY KEY,
    promotion_id TEXT NOT NULL REFERENCES pipeline_promotions(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    app_name TEXT NOT NULL,
    release_id TEXT,
    release_version INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    error_message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX pipeline_promotion_targets_promotion ON pipeline_promotion_targets(promotion_id);
  `,
  `
  -- app.json as read at build time, kept with the build; and the postdeploy script an app
  -- made from app.json runs once, after its first deploy.
  ALTER TABLE builds ADD COLUMN app_json TEXT;
  CREATE TABLE app_postdeploys (
    app_id TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
    release_version INTEGER NOT NULL,
    exit_code INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT
  ) WITHOUT ROWID;
  `,
  `
  -- Review apps: per pipeline whether branch pushes make them, and the apps made, by branch.
  CREATE TABLE review_app_configs (
    pipeline_id TEXT PRIMARY KEY REFERENCES pipelines(id) ON DELETE CASCADE,
    autodeploy INTEGER NOT NULL DEFAULT 0,
    stale_days INTEGER,
    env TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE review_apps (
    app_id TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    parent_app_name TEXT NOT NULL,
    branch TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (pipeline_id, branch)
  ) WITHOUT ROWID;
  `,
  `
  -- Metrics: one row per app and minute (the minute's aggregate as JSON), pruned to 24 hours;
  -- and what was observed of each release while it ran, for the twelve-factor scorecard.
  CREATE TABLE metric_minutes (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (app_id, minute)
  ) WITHOUT ROWID;
  CREATE INDEX metric_minutes_minute ON metric_minutes(minute);
  CREATE TABLE release_observations (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (app_id, version)
  ) WITHOUT ROWID;
  `,
  `
  -- Users (a token belongs to one), token scopes and lifetimes, and per-app access of members.
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
  ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'global' CHECK (scope IN ('read', 'write', 'global'));
  ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN updated_at TEXT;
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
  CREATE TABLE app_access (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (app_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX app_access_user ON app_access(user_id);
  `,
  `
  -- The runtime layer a slug runs on (its file's sha256 in the layer store); NULL: the slug holds everything.
  ALTER TABLE slugs ADD COLUMN runtime_layer TEXT;
  CREATE INDEX slugs_runtime_layer ON slugs(runtime_layer) WHERE runtime_layer IS NOT NULL;
  `,
];
