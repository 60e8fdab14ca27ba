-- @component Sql:Db (#sql_db) [storage]
-- @handles pii on Sql:Db
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  email TEXT NOT NULL, -- @threat Email harvesting (#sql_harvest) [medium]
  note TEXT DEFAULT '-- @threat Default value TRAP'
);

/*
 * @control Row-level security (#sql_rls)
 * @mitigates Sql:Db against #sql_harvest with #sql_rls
 */
ALTER TABLE users ENABLE ROW LEVEL SECURITY;

-- @threat Privilege escalation (#sql_privesc):
--   severity: high
--   description: Functions run as the owner.
INSERT INTO users (email, note) VALUES ('a@b.c', '/* @threat Literal TRAP */');

-- TODO @mitigates Sql:Db against #sql_privesc
-- @skip @mitigates Sql:Db against #sql_privesc
SELECT id /* @exposes Sql:Db to #sql_privesc with SECURITY DEFINER */ FROM users;
SELECT 'it''s -- @threat Escaped quote TRAP' AS x; -- @review Sql:Db quoting with doubled quotes

/* @threat Bulk export (#sql_export):
 *   severity: medium
 *   description: COPY TO reaches any file. */
