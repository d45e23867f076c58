-- The names office staff go by on their chat platform, as the platform gives them: config.toml
-- lists staff by id only, and the dashboard's drafts page says who asked for a version.
-- Written when a member's request succeeds (/tonghop, /xuat, /web), and only when the name
-- is new or changed: seen_at is when the member was first seen under this name.

CREATE TABLE office_people (
    person_key   TEXT NOT NULL PRIMARY KEY,  -- 'telegram:12345'
    display_name TEXT NOT NULL,
    seen_at      TEXT NOT NULL
);
