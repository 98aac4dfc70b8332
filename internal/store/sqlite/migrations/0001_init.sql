-- Records are JSON documents addressed by (kind, id). A rowid table, not
-- WITHOUT ROWID, because documents can be large (SQLite advises rowid
-- tables once rows exceed a small fraction of a page).
--
-- keys and refs repeat the record's rows in record_keys and record_refs,
-- packed ("<byte length>:<value>" runs), so a read is one row and no joins;
-- the two tables are the indexes and enforce uniqueness.
CREATE TABLE records (
	kind    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	tenant  TEXT    NOT NULL DEFAULT '',
	data    BLOB,
	version INTEGER NOT NULL,
	keys    TEXT    NOT NULL DEFAULT '',
	refs    TEXT    NOT NULL DEFAULT '',
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

-- Deleting a record's keys (on Put, and by cascade).
CREATE INDEX record_keys_owner ON record_keys (kind, id);

-- Non-unique references; the primary key also serves List by ref, in id order.
CREATE TABLE record_refs (
	kind TEXT NOT NULL,
	ref  TEXT NOT NULL,
	id   TEXT NOT NULL,
	PRIMARY KEY (kind, ref, id),
	FOREIGN KEY (kind, id) REFERENCES records (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Deleting a record's refs (on Put, and by cascade).
CREATE INDEX record_refs_owner ON record_refs (kind, id);

-- Store-wide values; "revision" counts committed writing Updates.
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (name, value) VALUES ('revision', 0);
