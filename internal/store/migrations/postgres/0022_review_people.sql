-- +goose Up
-- A review's chair may be someone without an account: their name and role
-- are stored with the review (a member chair keeps chair_id as well), and
-- the signatories besides the chair who sign the pack.
ALTER TABLE reviews ADD COLUMN chair_name TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN chair_role TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN signatories TEXT NOT NULL DEFAULT '';
UPDATE reviews SET chair_name = COALESCE((SELECT u.name FROM users u WHERE u.id = reviews.chair_id), '') WHERE chair_id IS NOT NULL;
