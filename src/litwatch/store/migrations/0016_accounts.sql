-- litwatch schema 16 (web): people who log in, their sessions, failed logins for the rate limit.
-- Owned by litwatch.accounts. Passwords are argon2id hashes; session tokens are kept as sha256 of
-- the cookie value, so a copy of the database does not hand out live sessions.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'reader')),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    password_set_at TEXT NOT NULL
);

CREATE TABLE user_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    seen_at      TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions(user_id);

-- one row a failed login, by name and by client address; old rows are pruned as new ones come
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    client    TEXT NOT NULL,
    failed_at REAL NOT NULL              -- unix time
);
CREATE INDEX login_failures_name ON login_failures(name, failed_at);
CREATE INDEX login_failures_client ON login_failures(client, failed_at);
