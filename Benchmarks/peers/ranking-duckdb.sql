-- DuckDB: the ranking of every (index, year, block) by the rules of the
-- event contract (README "How a score is reached"), as an analyst who knows
-- DuckDB writes it: one pass of `arg_max` aggregates picks each item's
-- deciding event, no numbering windows. Benchmarks/national.py checks the
-- result equal to parledger's ranking snapshots, row by row, before it
-- compares times; ranking-postgres.sql is the same query for PostgreSQL.
-- Scores are DECIMAL(18,3); the percent is computed in integers
-- (hundredths, half away from zero), as parledger does. Ranks follow each
-- framework's ranking rule (fw_rule).
CREATE TABLE result AS
WITH
ids AS (SELECT id, min(seq) AS seq FROM ev WHERE id IS NOT NULL GROUP BY id),
-- 1. A correction replaces the value of its target; the latest one wins.
corr AS (
    SELECT CASE WHEN c.target LIKE '#%' THEN CAST(substr(c.target, 2) AS BIGINT) ELSE i.seq END AS target_seq,
           arg_max({'score': c.score, 'na': c.na}, c.seq) AS v
    FROM ev c LEFT JOIN ids i ON i.id = c.target
    WHERE c.type = 'correction.issued'
    GROUP BY 1),
-- Every event that can decide an item, with its correction applied, and a
-- precedence: a resolved appeal (upheld or partial) over an appraisal over a
-- self-assessment; among appraisals the highest round, then the latest.
candidates AS (
    SELECT e.unit, e.idx, e.year, e.item, e.type,
           CASE e.type WHEN 'appraisal.recorded' THEN 2 ELSE 1 END AS kind, COALESCE(e.round, 0) AS round, e.seq,
           CASE WHEN k.target_seq IS NULL THEN e.score ELSE k.v.score END AS score,
           CASE WHEN k.target_seq IS NULL THEN e.na ELSE k.v.na END AS na
    FROM ev e LEFT JOIN corr k ON k.target_seq = e.seq
    WHERE e.type IN ('assessment.submitted', 'appraisal.recorded', 'survey.recorded')
    UNION ALL
    SELECT f.unit, f.idx, f.year, f.item, 'appeal', 3, 0, r.seq, r.score, FALSE
    FROM ev r JOIN ev f ON f.type = 'appeal.filed' AND f.appeal = r.appeal
    WHERE r.type = 'appeal.resolved' AND r.outcome IN ('upheld', 'partial')),
-- Each candidate with its unit's block, before the framework's items are
-- joined on all four keys (joined on three, every item code would match the
-- same item of every province's framework).
placed AS (SELECT c.*, u.block FROM candidates c JOIN units u ON u.unit = c.unit),
-- 2–3. Per item of the unit's framework: the deciding event. Survey items
-- take survey scores, assessment items appraisals and self-assessments.
decided AS (
    SELECT c.unit, fi.idx, fi.year, fi.block, fi.max,
           arg_max({'score': c.score, 'na': c.na}, {'kind': c.kind, 'round': c.round, 'seq': c.seq}) AS v
    FROM placed c
    JOIN fw_items fi ON fi.idx = c.idx AND fi.year = c.year AND fi.block = c.block AND fi.item = c.item
    WHERE c.type = 'appeal' OR (fi.source = 'survey') = (c.type = 'survey.recorded')
    GROUP BY c.unit, fi.idx, fi.year, fi.block, fi.item, fi.max),
-- 4. Not applicable leaves both the points and the maximum. An item with no
-- deciding event scores 0 and keeps its maximum: the framework's total
-- maximum less the items a unit marked not applicable.
item_totals AS (
    SELECT unit, idx, year, block,
           sum(CASE WHEN v.na THEN 0 ELSE COALESCE(v.score, 0) END) AS points,
           sum(CASE WHEN v.na THEN max ELSE 0 END) AS na_max
    FROM decided GROUP BY ALL),
fw_max AS (SELECT idx, year, block, sum(max) AS max FROM fw_items GROUP BY ALL),
totals AS (
    SELECT u.unit, f.idx, f.year, f.block,
           CAST(COALESCE(t.points, 0) * 1000 AS BIGINT) AS points_th,
           CAST((f.max - COALESCE(t.na_max, 0)) * 1000 AS BIGINT) AS max_th
    FROM units u JOIN fw_max f ON f.block = u.block
    LEFT JOIN item_totals t ON t.unit = u.unit AND t.idx = f.idx AND t.year = f.year AND t.block = f.block),
pct AS (
    SELECT t.*, CASE WHEN max_th > 0 THEN
               (CASE WHEN points_th < 0 THEN -1 ELSE 1 END) * idiv(2 * abs(points_th) * 10000 + max_th, 2 * max_th) END AS pct
    FROM totals t),
-- The framework's ranking rule gives the key units are ranked on (equal keys share a rank):
-- percent2 the 2-decimal percent, points3 the points, ratio the exact ratio (ratio_key, see the loaders).
ranked AS (
    SELECT p.*, CASE WHEN pct IS NOT NULL THEN rank() OVER (PARTITION BY p.idx, p.year, p.block, pct IS NULL ORDER BY
               CASE f.rule WHEN 'ratio' THEN CASE WHEN max_th > 0 THEN ratio_key(points_th, max_th) END
                           WHEN 'points3' THEN points_th
                           ELSE pct END DESC) END AS rnk
    FROM pct p JOIN fw_rule f ON f.idx = p.idx AND f.year = p.year AND f.block = p.block),
-- 5. The band: the first of the framework's bands (in its order) whose minimum the percent reaches.
banded AS (
    SELECT r.idx, r.year, r.block, r.unit, arg_min(b.code, b.ord) AS band
    FROM ranked r JOIN fw_bands b ON b.idx = r.idx AND b.year = r.year AND b.block = r.block AND r.pct * 10 >= b.min_th
    GROUP BY ALL)
SELECT r.idx, r.year, r.block, r.unit, r.rnk, r.points_th, r.max_th, r.pct, b.band
FROM ranked r LEFT JOIN banded b ON b.idx = r.idx AND b.year = r.year AND b.block = r.block AND b.unit = r.unit;
