-- +goose Up
-- Each risk carries a copy of its links (issue 16 item 1): its Annex A
-- controls (in byte order) and its processes (by id), comma-separated, as
-- risk_controls and risk_processes hold them. Reading a risk or a page of
-- the register then reads no other table; the link tables stay the truth
-- for the questions asked from the other side (the risks of a control, of
-- a process). store.Tx.SetRiskLinks, the only writer of links, writes both
-- in one transaction; TestRiskLinkCopiesAgree checks them.
ALTER TABLE risks ADD COLUMN control_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE risks ADD COLUMN process_ids TEXT NOT NULL DEFAULT '';
UPDATE risks SET
    control_ids = COALESCE((SELECT string_agg(c.control_id, ',' ORDER BY c.control_id COLLATE "C") FROM risk_controls c
        WHERE c.risk_id = risks.id AND c.catalogue = 'iso27001-2022-annex-a'), ''),
    process_ids = COALESCE((SELECT string_agg(CAST(p.process_id AS TEXT), ',' ORDER BY p.process_id) FROM risk_processes p
        WHERE p.risk_id = risks.id), '');

-- +goose Down
ALTER TABLE risks DROP COLUMN process_ids;
ALTER TABLE risks DROP COLUMN control_ids;
