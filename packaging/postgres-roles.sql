-- Switchboard on PostgreSQL: one database role per workstation group.
--
-- Run as the database owner (the role that ran `switchboard db upgrade`), in
-- the Switchboard database, after every upgrade that adds tables:
--
--   psql "postgresql://switchboard_owner@db.example:5432/switchboard?sslmode=verify-full" \
--        -v ON_ERROR_STOP=1 -f packaging/postgres-roles.sql
--
-- It is idempotent and transactional (CREATE ROLE is too). Group roles are
-- NOLOGIN; create one LOGIN role per workstation group or per person and grant
-- it the group, e.g.
--
--   CREATE ROLE ws_tokyo_floor LOGIN PASSWORD '...' IN ROLE switchboard_agent;
--   CREATE ROLE ws_shibuya_branch LOGIN PASSWORD '...' IN ROLE switchboard_branch;
--
-- What each group may do (docs/deployment.md explains why):
--   switchboard_app         base: read/write the working tables; the audit log
--                           only by appending (INSERT, and SELECT of id/hash
--                           to chain to the previous entry). Never UPDATE,
--                           DELETE or TRUNCATE audit_events; no DDL.
--   switchboard_agent       contact-centre floor = switchboard_app.
--   switchboard_branch      bank counters        = switchboard_app.
--   switchboard_supervisor  + read the whole audit log (review and export).
--   switchboard_admin       + read the whole audit log; still cannot rewrite it.

BEGIN;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['switchboard_app', 'switchboard_agent', 'switchboard_branch',
                             'switchboard_supervisor', 'switchboard_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;

GRANT switchboard_app TO switchboard_agent, switchboard_branch, switchboard_supervisor,
    switchboard_admin;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO switchboard_app', current_database());
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO switchboard_app;

-- Working tables: row-level reads and writes, no DDL.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO switchboard_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO switchboard_app;
-- The schema version is read by every workstation at start-up, changed only by the owner.
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM switchboard_app;

-- The audit log is append-only for everybody but the owner.
REVOKE ALL ON audit_events FROM switchboard_app;
GRANT INSERT ON audit_events TO switchboard_app;
GRANT SELECT (id, hash) ON audit_events TO switchboard_app;
GRANT SELECT ON audit_events TO switchboard_supervisor, switchboard_admin;

-- Defence in depth: even a role that was granted too much cannot rewrite history.
CREATE OR REPLACE FUNCTION switchboard_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION switchboard_audit_append_only();
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_audit_append_only();

COMMIT;
