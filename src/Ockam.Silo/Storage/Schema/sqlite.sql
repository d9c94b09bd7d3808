-- Ockam.NET schema for SQLite (the embedded default): grain storage for Orleans' ADO.NET provider.
-- Written for this project from the provider's query contract: Orleans reads the queries below from
-- OrleansQuery by key, binds parameters by name (@GrainIdHash, ...) and reads result columns by name.
-- Idempotent: applied at every start-up; re-running it changes nothing but the query texts.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- One row per grain state. Grain ids and types are hashed by Orleans into the two INTEGER columns;
-- the unique index over the full key resolves hash collisions and makes a racing first write fail
-- instead of creating a second row.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, IFNULL(GrainIdExtensionString, ''), ServiceId);

-- Write: an update guarded by the version the grain last read (optimistic concurrency), or a first
-- insert when the grain read nothing. Exactly one row with the new version on success; none on a conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
    UPDATE OrleansStorage
       SET PayloadBinary = @PayloadBinary, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
     WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''')
       AND ServiceId = @ServiceId
       AND @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;

    INSERT INTO OrleansStorage
           (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary, CURRENT_TIMESTAMP, 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
    SELECT PayloadBinary, Version
      FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''')
       AND ServiceId = @ServiceId
     LIMIT 1;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear keeps the row (payload emptied, version moved on), so a stale writer still conflicts.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
    UPDATE OrleansStorage
       SET PayloadBinary = NULL, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
     WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND IFNULL(GrainIdExtensionString, '''') = IFNULL(@GrainIdExtensionString, '''')
       AND ServiceId = @ServiceId
       AND @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Grain states (Orleans' IGrainStorage, through SqliteGrainStorage): one row per state, named by the grain's id and
-- the state's name, its version moved on by every write and clear (optimistic concurrency). Written by one connection
-- only (the silo's group-commit loop for grain states), so that many grains' writes share one transaction and one
-- flush. OrleansStorage above holds what silos before it wrote; a state found only there is copied here when read.
CREATE TABLE IF NOT EXISTS GrainState
(
    ServiceId     TEXT    NOT NULL,
    StateName     TEXT    NOT NULL,
    GrainId       TEXT    NOT NULL,
    PayloadBinary BLOB    NULL,
    ModifiedOn    TEXT    NOT NULL,
    Version       INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, StateName, GrainId)
);

-- Relay mailboxes (Ockam.Grains.Mail.IMailStore): one row per stored message, deleted when its owner acknowledges
-- it, so that storing and acknowledging cost the same at any depth. Written by one connection only (the silo's
-- group-commit loop). Delivery order is the index's: priority first (higher first), then sequence.
CREATE TABLE IF NOT EXISTS RelayMail
(
    ServiceId TEXT    NOT NULL,
    Relay     TEXT    NOT NULL,
    Sequence  INTEGER NOT NULL,
    Priority  INTEGER NOT NULL,
    Origin    INTEGER NOT NULL,
    Sender    TEXT    NULL,
    Size      INTEGER NOT NULL,
    Envelope  BLOB    NOT NULL,
    PRIMARY KEY (ServiceId, Relay, Sequence)
);

-- Size is in the index so that counting a mailbox's messages and bytes reads the index only.
CREATE INDEX IF NOT EXISTS IX_RelayMail_Delivery ON RelayMail (ServiceId, Relay, Priority DESC, Sequence, Size);

-- Group logs (Ockam.Grains.GroupLog.IGroupLogStore): a room's or topic's commits and application messages, one row
-- each in index order, the oldest deleted once the log passes its bounds (count and bytes), so that appending costs
-- the same at any length and never rewrites the entries before. Written by one connection only (the silo's
-- group-commit loop for logs).
CREATE TABLE IF NOT EXISTS GroupLog
(
    ServiceId TEXT    NOT NULL,
    GroupId   TEXT    NOT NULL,
    LogIndex  INTEGER NOT NULL,
    Epoch     INTEGER NOT NULL,
    Kind      INTEGER NOT NULL,
    Size      INTEGER NOT NULL,
    Bytes     BLOB    NOT NULL,
    PRIMARY KEY (ServiceId, GroupId, LogIndex)
);

-- The commit that won an epoch is found by its epoch (a losing committer learns it).
CREATE INDEX IF NOT EXISTS IX_GroupLog_Commit ON GroupLog (ServiceId, GroupId, Epoch) WHERE Kind = 1;

-- Whom each commit kept in GroupLog removed: a removed member may read the commit that removed it, and nothing else.
-- Deleted with their commit.
CREATE TABLE IF NOT EXISTS GroupLogRemoval
(
    ServiceId  TEXT    NOT NULL,
    GroupId    TEXT    NOT NULL,
    Identifier TEXT    NOT NULL,
    LogIndex   INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GroupId, Identifier, LogIndex)
);

CREATE INDEX IF NOT EXISTS IX_GroupLogRemoval_Index ON GroupLogRemoval (ServiceId, GroupId, LogIndex);

-- Authorities' members, issued serials and revocations, and tokens' redemptions (Ockam.Grains.Authority.IAuthorityStore):
-- rows, so that enrolling a device costs the same whatever the size of the fleet. Written by one connection only (the
-- silo's group-commit loop). Times are UTC ticks. A member's Status is 1 (member), 2 (suspended) or 3 (revoked as a
-- member: no attributes; it redeems nothing until an admin readmits it).
CREATE TABLE IF NOT EXISTS AuthorityMember
(
    ServiceId  TEXT    NOT NULL,
    Authority  TEXT    NOT NULL,
    Subject    TEXT    NOT NULL,
    Status     INTEGER NOT NULL,
    Since      INTEGER NOT NULL,
    Attributes BLOB    NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Subject)
);

-- The identities revoked as members, for the notice gateways catch up with.
CREATE INDEX IF NOT EXISTS IX_AuthorityMember_Revoked ON AuthorityMember (ServiceId, Authority, Subject) WHERE Status = 3;

CREATE TABLE IF NOT EXISTS AuthoritySerial
(
    ServiceId TEXT    NOT NULL,
    Authority TEXT    NOT NULL,
    Serial    INTEGER NOT NULL,
    Subject   TEXT    NOT NULL,
    IssuedAt  INTEGER NOT NULL,
    ExpiresAt INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Serial)
);

-- A member's credentials, and how many are unexpired, from the index alone.
CREATE INDEX IF NOT EXISTS IX_AuthoritySerial_Subject ON AuthoritySerial (ServiceId, Authority, Subject, ExpiresAt);

CREATE TABLE IF NOT EXISTS AuthorityRevocation
(
    ServiceId TEXT    NOT NULL,
    Authority TEXT    NOT NULL,
    Serial    INTEGER NOT NULL,
    Subject   TEXT    NULL,
    RevokedAt INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Serial)
);

-- Token is the token's hash (the token itself is never stored); Used counts distinct redeemers, never past the grant's uses.
CREATE TABLE IF NOT EXISTS TokenUse
(
    ServiceId TEXT    NOT NULL,
    Token     TEXT    NOT NULL,
    Used      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, Token)
);

CREATE TABLE IF NOT EXISTS TokenRedemption
(
    ServiceId  TEXT    NOT NULL,
    Token      TEXT    NOT NULL,
    Redeemer   TEXT    NOT NULL,
    RedeemedAt INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, Token, Redeemer)
);
