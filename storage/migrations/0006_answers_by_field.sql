-- A unit's earlier values of one field (the plausibility check reads the latest non-zero one
-- on every answer): without this index each answer would read every period's answers.
CREATE INDEX answers_by_field ON answers (form_code, unit_code, field_key, period_key);
