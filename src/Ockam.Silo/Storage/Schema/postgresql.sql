-- Ockam.NET schema for PostgreSQL (production): grain storage and cluster membership for Orleans'
-- ADO.NET providers. Written for this project from the providers' query contract: Orleans reads the
-- queries below from OrleansQuery by key, binds parameters by name and reads result columns by name.
-- Idempotent: applied at every start-up, under an advisory lock so that silos starting together
-- do not race; re-running it changes nothing but the query texts and functions.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

------------------------------------------------------------------------------------------------
-- Grain storage
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NULL
);

-- The full key, unique: resolves hash collisions and turns a racing first write into a conflict.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, coalesce(GrainIdExtensionString, ''), ServiceId);

-- Write: update guarded by the version last read, or first insert; one row with the new version on
-- success, none on a conflict (which Orleans reports as an inconsistent state).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
    WITH updated AS (
        UPDATE OrleansStorage
           SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
         WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
           AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
           AND GrainTypeString = @GrainTypeString
           AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString, '')
           AND ServiceId = @ServiceId
           AND Version = @GrainStateVersion
        RETURNING Version),
    inserted AS (
        INSERT INTO OrleansStorage
               (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary, now(), 1
         WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version)
    SELECT Version AS NewGrainStateVersion FROM updated
    UNION ALL
    SELECT Version FROM inserted;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
    SELECT PayloadBinary, Version
      FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString, '')
       AND ServiceId = @ServiceId
     LIMIT 1;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
    UPDATE OrleansStorage
       SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
     WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
       AND GrainTypeString = @GrainTypeString
       AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString, '')
       AND ServiceId = @ServiceId
       AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

------------------------------------------------------------------------------------------------
-- Cluster membership (Orleans' extended membership protocol): one version row per deployment,
-- bumped by every membership change, so that concurrent changes by different silos serialize.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Npgsql sends Orleans' UTC DateTime parameters as timestamptz, hence the column and argument types.

-- Every membership change first moves the version row on, if it is still where the silo read it:
-- the row lock serializes concurrent changes, and a lost race changes nothing.
CREATE OR REPLACE FUNCTION ockam_membership_bump(p_deployment varchar, p_expected_version integer)
RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    UPDATE OrleansMembershipVersionTable v
       SET Timestamp = now(), Version = v.Version + 1
     WHERE v.DeploymentId = p_deployment AND v.Version = p_expected_version;
    RETURN FOUND;
END
$f$;

-- Insert a silo's row if the table is still at the version the silo read. The version row is
-- locked and bumped first; if the silo row then cannot be inserted, the exception rolls back the bump.
CREATE OR REPLACE FUNCTION ockam_membership_insert(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_silo_name varchar, p_host_name varchar,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_alive_time timestamptz, p_expected_version integer)
RETURNS integer LANGUAGE plpgsql AS $f$
BEGIN
    IF NOT ockam_membership_bump(p_deployment, p_expected_version) THEN
        RETURN 0;
    END IF;
    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start_time, p_alive_time);
    RETURN 1;
EXCEPTION WHEN unique_violation THEN
    RETURN 0;
END
$f$;

CREATE OR REPLACE FUNCTION ockam_membership_update(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer,
    p_alive_time timestamptz, p_status integer, p_suspect_times varchar, p_expected_version integer)
RETURNS integer LANGUAGE plpgsql AS $f$
BEGIN
    IF NOT ockam_membership_bump(p_deployment, p_expected_version) THEN
        RETURN 0;
    END IF;
    UPDATE OrleansMembershipTable m
       SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_alive_time
     WHERE m.DeploymentId = p_deployment AND m.Address = p_address AND m.Port = p_port AND m.Generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no membership row for %:%@%', p_address, p_port, p_generation;
    END IF;
    RETURN 1;
END
$f$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
    WITH inserted AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM inserted;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
    SELECT ockam_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                   @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
    SELECT ockam_membership_update(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime, @Status, @SuspectTimes, @Version);
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
    UPDATE OrleansMembershipTable
       SET IAmAliveTime = @IAmAliveTime
     WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The version row always comes back (left join), so an empty table still tells its version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
      FROM OrleansMembershipVersionTable v
      LEFT JOIN OrleansMembershipTable m
        ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
     WHERE v.DeploymentId = @DeploymentId;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
      FROM OrleansMembershipVersionTable v
      LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
     WHERE v.DeploymentId = @DeploymentId;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
    SELECT Address, ProxyPort, Generation
      FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Rows of silos that are not active (dead, or never finished joining) and silent since @IAmAliveTime.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

------------------------------------------------------------------------------------------------
-- Relay mailboxes (Ockam.Grains.Mail.IMailStore): one row per stored message, deleted when its owner
-- acknowledges it, so that storing and acknowledging cost the same at any depth. Each silo writes its
-- relays' rows from one group-commit loop. Delivery order is the index's: priority first, then sequence.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS RelayMail
(
    ServiceId varchar(150)  NOT NULL,
    Relay     varchar(1024) NOT NULL,
    Sequence  bigint        NOT NULL,
    Priority  smallint      NOT NULL,
    Origin    smallint      NOT NULL,
    Sender    text          NULL,
    Size      integer       NOT NULL,
    Envelope  bytea         NOT NULL,
    PRIMARY KEY (ServiceId, Relay, Sequence)
);

-- Size is included so that counting a mailbox's messages and bytes can read the index only.
CREATE INDEX IF NOT EXISTS ix_relaymail_delivery ON RelayMail (ServiceId, Relay, Priority DESC, Sequence) INCLUDE (Size);

------------------------------------------------------------------------------------------------
-- Group logs (Ockam.Grains.GroupLog.IGroupLogStore): a room's or topic's commits and application
-- messages, one row each in index order, the oldest deleted once the log passes its bounds (count and
-- bytes), so that appending costs the same at any length and never rewrites the entries before. Each
-- silo writes its groups' rows from one group-commit loop.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS GroupLog
(
    ServiceId varchar(150)  NOT NULL,
    GroupId   varchar(1024) NOT NULL,
    LogIndex  bigint        NOT NULL,
    Epoch     bigint        NOT NULL,
    Kind      smallint      NOT NULL,
    Size      integer       NOT NULL,
    Bytes     bytea         NOT NULL,
    PRIMARY KEY (ServiceId, GroupId, LogIndex)
);

-- The commit that won an epoch is found by its epoch (a losing committer learns it).
CREATE INDEX IF NOT EXISTS ix_grouplog_commit ON GroupLog (ServiceId, GroupId, Epoch) WHERE Kind = 1;

-- Whom each commit kept in GroupLog removed: a removed member may read the commit that removed it, and
-- nothing else. Deleted with their commit.
CREATE TABLE IF NOT EXISTS GroupLogRemoval
(
    ServiceId  varchar(150)  NOT NULL,
    GroupId    varchar(1024) NOT NULL,
    Identifier varchar(1024) NOT NULL,
    LogIndex   bigint        NOT NULL,
    PRIMARY KEY (ServiceId, GroupId, Identifier, LogIndex)
);

CREATE INDEX IF NOT EXISTS ix_grouplogremoval_index ON GroupLogRemoval (ServiceId, GroupId, LogIndex);

-- Authorities' members, issued serials and revocations, and tokens' redemptions
-- (Ockam.Grains.Authority.IAuthorityStore): rows, so that enrolling a device costs the same whatever the
-- size of the fleet. Each silo writes from one group-commit loop; a decision on a member locks its row.
-- Times are UTC ticks. A member's Status is 1 (member), 2 (suspended) or 3 (revoked as a member).
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS AuthorityMember
(
    ServiceId  varchar(150)  NOT NULL,
    Authority  varchar(256)  NOT NULL,
    Subject    varchar(256)  NOT NULL,
    Status     integer       NOT NULL,
    Since      bigint        NOT NULL,
    Attributes bytea         NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Subject)
);

CREATE INDEX IF NOT EXISTS ix_authoritymember_revoked ON AuthorityMember (ServiceId, Authority, Subject) WHERE Status = 3;

CREATE TABLE IF NOT EXISTS AuthoritySerial
(
    ServiceId varchar(150)  NOT NULL,
    Authority varchar(256)  NOT NULL,
    Serial    bigint        NOT NULL,
    Subject   varchar(256)  NOT NULL,
    IssuedAt  bigint        NOT NULL,
    ExpiresAt bigint        NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Serial)
);

CREATE INDEX IF NOT EXISTS ix_authorityserial_subject ON AuthoritySerial (ServiceId, Authority, Subject, ExpiresAt);

CREATE TABLE IF NOT EXISTS AuthorityRevocation
(
    ServiceId varchar(150)  NOT NULL,
    Authority varchar(256)  NOT NULL,
    Serial    bigint        NOT NULL,
    Subject   varchar(256)  NULL,
    RevokedAt bigint        NOT NULL,
    PRIMARY KEY (ServiceId, Authority, Serial)
);

CREATE TABLE IF NOT EXISTS TokenUse
(
    ServiceId varchar(150)  NOT NULL,
    Token     varchar(64)   NOT NULL,
    Used      integer       NOT NULL,
    PRIMARY KEY (ServiceId, Token)
);

CREATE TABLE IF NOT EXISTS TokenRedemption
(
    ServiceId  varchar(150)  NOT NULL,
    Token      varchar(64)   NOT NULL,
    Redeemer   varchar(256)  NOT NULL,
    RedeemedAt bigint        NOT NULL,
    PRIMARY KEY (ServiceId, Token, Redeemer)
);
