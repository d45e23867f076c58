-- The review sheet (…_ra-soat.docx) made with each draft version, kept beside it so the
-- dashboard's drafts page can hand it out again. Written in the transaction that stores the
-- draft; drafts stored before this table have none.

CREATE TABLE draft_reviews (
    draft_id  INTEGER NOT NULL PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    file_name TEXT    NOT NULL,
    content   BLOB    NOT NULL
);
