-- Schema.
-- @exposes App:Db to Tampering

-- @exposes App:Db to Tampering
CREATE TABLE users (
    id bigint PRIMARY KEY,
    -- @exposes App:Db to Tampering
    email text NOT NULL
);

CREATE VIEW active_users AS
    SELECT id, email FROM users;

/* Deletes a user.
 * @exposes App:Db to Tampering
 */
CREATE FUNCTION delete_user(uid bigint) RETURNS void AS $$
    DELETE FROM users WHERE id = uid;
$$ LANGUAGE sql SECURITY DEFINER;

-- @exposes App:Db to Tampering

CREATE TABLE audit (id bigint);
