-- Records are JSON documents addressed by (kind, id). A rowid table, not
-- WITHOUT ROWID, because documents can be large (SQLite advises rowid
-- tables once rows exceed a small fraction of a page).
CREATE TABLE records (
	kind    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	tenant  TEXT    NOT NULL DEFAULT '',
	data    BLOB,
	version INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
);

-- List by tenant, ordered by id.
CREATE INDEX records_tenant ON records (kind, tenant, id);

-- Unique lookup keys: the primary key enforces "unique per kind".
CREATE TABLE record_keys (
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	id   TEXT NOT NULL,
	PRIMARY KEY (kind, key),
	FOREIGN KEY (kind, id) REFERENCES records (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Fetching and cascading a record's keys.
CREATE INDEX record_keys_owner ON record_keys (kind, id, key);

-- Non-unique references; the primary key also serves List by ref, in id order.
CREATE TABLE record_refs (
	kind TEXT NOT NULL,
	ref  TEXT NOT NULL,
	id   TEXT NOT NULL,
	PRIMARY KEY (kind, ref, id),
	FOREIGN KEY (kind, id) REFERENCES records (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Fetching and cascading a record's refs.
CREATE INDEX record_refs_owner ON record_refs (kind, id, ref);

-- Store-wide values; "revision" counts committed writing Updates.
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (name, value) VALUES ('revision', 0);
