-- +goose Up
-- A framework register filtered by a group reads the group's subtree
-- (store.FrameworkRegister: a recursive query from the group down by
-- parent_id). Without an index on the parent each step read every
-- requirement of the framework: 2.3 s on SQLite for a group of a
-- framework of 100,000 requirements, 14 ms for one of 1,000
-- (docs/BENCHMARKS.md, "Framework registers").
CREATE INDEX framework_requirements_parent ON framework_requirements (framework_id, parent_id);

-- +goose Down
DROP INDEX framework_requirements_parent;
