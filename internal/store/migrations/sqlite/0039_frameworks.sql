-- +goose Up
-- Frameworks as data (issue 19). A framework is a versioned catalogue of
-- requirements: ISO/IEC 27001:2022 Annex A and NIST CSF 2.0 are built in
-- (written by Migrate from the embedded catalogues), others are imported
-- from OSCAL catalogs or CSV/XLSX. org_id is NULL for a framework every
-- organisation may enable (built in, or imported by the operator), else
-- the one organisation that imported it (a customer's licensed text is
-- never shown to another tenant). key is unique in its scope and is the
-- "catalogue" of soa_entries, soa_processes and risk_controls, so Annex A
-- decisions made before this migration keep their key
-- (iso27001-2022-annex-a) and their history.
-- framework_requirements holds every node in document order: groups
-- (kind group), controls and enhancements (a control inside a control);
-- class is the catalogue's own word (OSCAL class: function, category,
-- subcategory, SP800-53...); withdrawn ones are kept but not counted. requirements is the count of controls and enhancements
-- that are not withdrawn.
CREATE TABLE frameworks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER REFERENCES organizations (id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    builtin INTEGER NOT NULL,
    requirements INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE UNIQUE INDEX frameworks_instance_key ON frameworks (key) WHERE org_id IS NULL;
CREATE UNIQUE INDEX frameworks_org_key ON frameworks (org_id, key) WHERE org_id IS NOT NULL;

CREATE TABLE framework_requirements (
    framework_id INTEGER NOT NULL REFERENCES frameworks (id),
    req_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    class TEXT NOT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    statement TEXT NOT NULL,
    guidance TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (framework_id, req_id)
);
CREATE INDEX framework_requirements_order ON framework_requirements (framework_id, position);

-- The frameworks an organisation works with. Annex A is enabled for every
-- organisation that exists when this migration runs and for every new one.
CREATE TABLE org_frameworks (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    framework_id INTEGER NOT NULL REFERENCES frameworks (id),
    enabled_at TIMESTAMP NOT NULL,
    enabled_by TEXT NOT NULL,
    PRIMARY KEY (org_id, framework_id)
);

-- Requirement-to-requirement mappings (NIST OLIR / OSCAL mapping
-- relations: equivalent, subset, superset, intersects). org_id as for
-- frameworks: NULL for mappings every organisation sees.
CREATE TABLE framework_mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER REFERENCES organizations (id),
    source_framework_id INTEGER NOT NULL REFERENCES frameworks (id),
    source_req TEXT NOT NULL,
    target_framework_id INTEGER NOT NULL REFERENCES frameworks (id),
    target_req TEXT NOT NULL,
    relation TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX framework_mappings_source ON framework_mappings (source_framework_id, source_req);
CREATE INDEX framework_mappings_target ON framework_mappings (target_framework_id, target_req);

-- The register of each framework generalises the Statement of
-- Applicability: an owner and evidence per decided requirement, and the
-- documents that implement it.
ALTER TABLE soa_entries ADD COLUMN owner_id INTEGER REFERENCES users (id);
ALTER TABLE soa_entries ADD COLUMN evidence TEXT NOT NULL DEFAULT '';

CREATE TABLE soa_documents (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    catalogue TEXT NOT NULL,
    control_id TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    PRIMARY KEY (org_id, catalogue, control_id, document_id)
);

-- +goose Down
DROP TABLE soa_documents;
ALTER TABLE soa_entries DROP COLUMN evidence;
ALTER TABLE soa_entries DROP COLUMN owner_id;
DROP TABLE framework_mappings;
DROP TABLE org_frameworks;
DROP TABLE framework_requirements;
DROP TABLE frameworks;
