-- The ranking of every (index, year, block) by the rules of docs/CONTRACT.md
-- ("How a score is reached"), in SQL that DuckDB and PostgreSQL both run: the
-- peers' side of Benchmarks/national.py, which checks the result equal to
-- parledger's ranking snapshots before comparing times. Scores are DECIMAL(18,3); the
-- percent is computed in integers (hundredths, half away from zero), as
-- parledger does. Ranks follow each framework's ranking rule (fw_rule).
CREATE TABLE result AS
WITH
ids AS (SELECT id, MIN(seq) AS seq FROM ev WHERE id IS NOT NULL GROUP BY id),
-- 1. A correction replaces the value of its target; the latest one wins.
corr AS (
    SELECT target_seq, score, na FROM (
        SELECT t.target_seq, t.score, t.na, ROW_NUMBER() OVER (PARTITION BY t.target_seq ORDER BY t.seq DESC) AS rn
        FROM (SELECT c.seq, c.score, c.na,
                     CASE WHEN c.target LIKE '#%' THEN CAST(SUBSTR(c.target, 2) AS BIGINT) ELSE i.seq END AS target_seq
              FROM ev c LEFT JOIN ids i ON i.id = c.target
              WHERE c.type = 'correction.issued') t) x
    WHERE rn = 1),
scored AS (
    SELECT e.seq, e.type, e.unit, e.idx, e.year, e.item, COALESCE(e.round, 0) AS round,
           CASE WHEN k.target_seq IS NULL THEN e.score ELSE k.score END AS score,
           CASE WHEN k.target_seq IS NULL THEN e.na ELSE k.na END AS na
    FROM ev e LEFT JOIN corr k ON k.target_seq = e.seq
    WHERE e.type IN ('assessment.submitted', 'appraisal.recorded', 'survey.recorded')),
-- 2. Per item and kind: the latest survey, the latest appraisal of the highest round, the latest self-assessment.
latest AS (
    SELECT unit, idx, year, item, type, score, na FROM (
        SELECT s.*, ROW_NUMBER() OVER (PARTITION BY unit, idx, year, item, type ORDER BY round DESC, seq DESC) AS rn FROM scored s) x
    WHERE rn = 1),
per_item AS (
    SELECT unit, idx, year, item,
           MAX(CASE WHEN type = 'survey.recorded' THEN score END) AS survey_score,
           MAX(CASE WHEN type = 'survey.recorded' AND na THEN 1 ELSE 0 END) AS survey_na,
           MAX(CASE WHEN type = 'appraisal.recorded' THEN 1 ELSE 0 END) AS has_appraisal,
           MAX(CASE WHEN type = 'appraisal.recorded' THEN score END) AS appraisal_score,
           MAX(CASE WHEN type = 'appraisal.recorded' AND na THEN 1 ELSE 0 END) AS appraisal_na,
           MAX(CASE WHEN type = 'assessment.submitted' THEN score END) AS self_score,
           MAX(CASE WHEN type = 'assessment.submitted' AND na THEN 1 ELSE 0 END) AS self_na
    FROM latest GROUP BY unit, idx, year, item),
-- 3. An upheld or partial resolution replaces it; the latest one wins.
appealed AS (
    SELECT unit, idx, year, item, score FROM (
        SELECT f.unit, f.idx, f.year, f.item, r.score,
               ROW_NUMBER() OVER (PARTITION BY f.unit, f.idx, f.year, f.item ORDER BY r.seq DESC) AS rn
        FROM ev r JOIN ev f ON f.type = 'appeal.filed' AND f.appeal = r.appeal
        WHERE r.type = 'appeal.resolved' AND r.outcome IN ('upheld', 'partial')) x
    WHERE rn = 1),
-- Every registered unit of the block × every item of the framework; no event: 0 points (missing).
eff AS (
    SELECT u.unit, fi.idx, fi.year, fi.block, fi.max,
           CASE WHEN a.score IS NOT NULL THEN a.score
                WHEN fi.source = 'survey' THEN COALESCE(p.survey_score, 0)
                WHEN p.has_appraisal = 1 THEN COALESCE(p.appraisal_score, 0)
                ELSE COALESCE(p.self_score, 0) END AS points,
           CASE WHEN a.score IS NOT NULL THEN 0
                WHEN fi.source = 'survey' THEN COALESCE(p.survey_na, 0)
                WHEN p.has_appraisal = 1 THEN p.appraisal_na
                ELSE COALESCE(p.self_na, 0) END AS na
    FROM units u JOIN fw_items fi ON fi.block = u.block
    LEFT JOIN per_item p ON p.unit = u.unit AND p.idx = fi.idx AND p.year = fi.year AND p.item = fi.item
    LEFT JOIN appealed a ON a.unit = u.unit AND a.idx = fi.idx AND a.year = fi.year AND a.item = fi.item),
-- 4. Not applicable leaves both the points and the maximum.
totals AS (
    SELECT unit, idx, year, block,
           CAST(SUM(CASE WHEN na = 1 THEN 0 ELSE points END) * 1000 AS BIGINT) AS points_th,
           CAST(SUM(CASE WHEN na = 1 THEN 0 ELSE max END) * 1000 AS BIGINT) AS max_th
    FROM eff GROUP BY unit, idx, year, block),
pct AS (
    SELECT t.*, CASE WHEN max_th > 0 THEN
               (CASE WHEN points_th < 0 THEN -1 ELSE 1 END) * idiv(2 * ABS(points_th) * 10000 + max_th, 2 * max_th) END AS pct
    FROM totals t),
-- The framework's ranking rule gives the key units are ranked on (equal keys share a rank):
-- percent2 the 2-decimal percent, points3 the points, ratio the exact ratio (ratio_key, see the loaders).
keyed AS (
    SELECT p.*, CASE f.rule WHEN 'ratio' THEN CASE WHEN max_th > 0 THEN ratio_key(points_th, max_th) END
                            WHEN 'points3' THEN points_th
                            ELSE pct END AS rkey
    FROM pct p JOIN fw_rule f ON f.idx = p.idx AND f.year = p.year AND f.block = p.block),
ranked AS (
    SELECT k.*, CASE WHEN pct IS NOT NULL THEN RANK() OVER (PARTITION BY idx, year, block, pct IS NULL ORDER BY rkey DESC) END AS rnk
    FROM keyed k),
-- 5. The band: the first of the framework's bands (in its order) whose minimum the percent reaches.
banded AS (
    SELECT r.idx, r.year, r.block, r.unit, MIN(b.ord) AS ord
    FROM ranked r JOIN fw_bands b ON b.idx = r.idx AND b.year = r.year AND b.block = r.block AND r.pct * 10 >= b.min_th
    GROUP BY r.idx, r.year, r.block, r.unit)
SELECT r.idx, r.year, r.block, r.unit, r.rnk, r.points_th, r.max_th, r.pct, b.code AS band
FROM ranked r
LEFT JOIN banded m ON m.idx = r.idx AND m.year = r.year AND m.block = r.block AND m.unit = r.unit
LEFT JOIN fw_bands b ON b.idx = m.idx AND b.year = m.year AND b.block = m.block AND b.ord = m.ord;
