-- +goose Up
-- One management system, several standards (issue 19). A process,
-- deviation, internal audit, management review, metric definition or
-- document may be tagged with the management-system standards it serves
-- (keys of isms.Standards: iso27001, iso9001, iso42001, iso22301,
-- iso27701). entity_id is text because metric definitions are identified
-- by their key; the others store their numeric id in decimal. An entity
-- with no row here serves ISO/IEC 27001, so data written before this
-- migration keeps its meaning (docs/standards.md).
CREATE TABLE standard_tags (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    standard TEXT NOT NULL,
    PRIMARY KEY (org_id, entity, entity_id, standard)
);
CREATE INDEX standard_tags_standard_idx ON standard_tags (org_id, entity, standard);

-- +goose Down
DROP TABLE standard_tags;
