-- @component Shop:Storage:Orders Database (#orders-db)
-- @component Shop:Storage:Audit Log (#audit-log)
-- @component Vault:Archive Store (#archive)

-- Fires: storage expects tampering, repudiation and information disclosure; SQL injection
-- (a tampering threat) covers one of them.
-- @exposes #orders-db to SQL injection [high, tampering]
-- @mitigates #orders-db against SQL injection with Parameterized queries
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_email TEXT NOT NULL);

-- Does not fire: all three considered, through a mitigation, an acceptance and a transfer.
-- @threat Log tampering (#log-tampering) [tampering, repudiation]
-- @threat Log disclosure (#log-disclosure) [information-disclosure]
-- @mitigates #audit-log against #log-tampering with Append-only storage
-- @accepts #log-disclosure on #audit-log with the log holds no personal data
CREATE TABLE audit_log (at TIMESTAMPTZ, actor TEXT, action TEXT);

-- Does not fire: a catalogue threat on the parent covers every category it declares.
-- @exposes Vault to #db-backup-exposure
-- @exposes Vault to #db-unaudited-access
-- @exposes Vault to #db-sqli-at-store
