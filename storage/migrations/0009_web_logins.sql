-- The office's web dashboard: its signing secret, the one-time login links already used,
-- and the sessions they opened.
--
-- The secret signs login links (HMAC-SHA256); kept here so that `baocao web-link`, `/web`
-- in chat and the server, in whichever process, sign and check with the same key. A link's
-- nonce is recorded when it is used: a second use finds it and is refused. A session is
-- known by the SHA-256 of its cookie (the cookie itself is never stored), with the CSRF
-- token its forms carry.

CREATE TABLE web_secret (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    secret     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE TABLE web_logins_used (
    nonce    TEXT NOT NULL PRIMARY KEY,
    admin_id TEXT NOT NULL,
    used_at  TEXT NOT NULL
);

CREATE TABLE web_sessions (
    cookie_hash TEXT NOT NULL PRIMARY KEY,
    admin_id    TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT
);
