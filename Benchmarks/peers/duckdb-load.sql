-- DuckDB: load `parledger export` JSON Lines into the tables ranking-duckdb.sql reads.
-- {events} is replaced by the path of the JSON Lines file.
CREATE MACRO idiv(a, b) AS a // b;
-- The key of the "ratio" ranking rule: points/max scaled by 10^18 and
-- truncated, in 128-bit integers. Exact for maxima up to 10^9 thousandths
-- (a million points): two different ratios differ by at least
-- 1/(max1 × max2) > 10^-18, so their keys differ, and equal ratios give equal keys.
CREATE MACRO ratio_key(p, m) AS CAST(p AS HUGEINT) * CAST(1000000000000000000 AS HUGEINT) // m;

CREATE TABLE raw AS SELECT json AS doc FROM read_ndjson_objects('{events}');

CREATE TABLE ev AS
SELECT CAST(doc->>'seq' AS BIGINT) AS seq, doc->>'type' AS type, doc->>'id' AS id, doc->>'unit' AS unit,
       COALESCE(doc->>'index', 'PAR') AS idx, CAST(doc->>'year' AS INTEGER) AS year, doc->>'item' AS item,
       doc->>'block' AS block, CAST(doc->>'score' AS DECIMAL(18,3)) AS score,
       COALESCE(CAST(doc->>'notApplicable' AS BOOLEAN), FALSE) AS na, CAST(doc->>'round' AS INTEGER) AS round,
       doc->>'target' AS target, doc->>'appeal' AS appeal, doc->>'outcome' AS outcome
FROM raw WHERE doc->>'type' <> 'framework.published';

-- The first framework of each (index, year, block) counts.
CREATE TABLE fw AS
SELECT seq, idx, year, block, doc FROM (
    SELECT CAST(doc->>'seq' AS BIGINT) AS seq, COALESCE(doc->>'index', 'PAR') AS idx, CAST(doc->>'year' AS INTEGER) AS year,
           doc->>'block' AS block, doc,
           ROW_NUMBER() OVER (PARTITION BY COALESCE(doc->>'index', 'PAR'), doc->>'year', doc->>'block' ORDER BY CAST(doc->>'seq' AS BIGINT)) AS rn
    FROM raw WHERE doc->>'type' = 'framework.published') x
WHERE rn = 1;

CREATE TABLE fw_items AS
SELECT idx, year, block, it->>'code' AS item, CAST(it->>'max' AS DECIMAL(18,3)) AS max, COALESCE(it->>'source', 'assessment') AS source
FROM (SELECT idx, year, block, unnest(CAST(crit->'items' AS JSON[])) AS it
      FROM (SELECT idx, year, block, unnest(CAST(area->'criteria' AS JSON[])) AS crit
            FROM (SELECT idx, year, block, unnest(CAST(doc->'areas' AS JSON[])) AS area FROM fw)));

-- The framework's ranking rule (absent: percent2, the default).
CREATE TABLE fw_rule AS
SELECT idx, year, block, COALESCE(doc->'ranking'->>'order', 'percent2') AS rule FROM fw;

CREATE TABLE fw_bands AS
SELECT idx, year, block, ord, band->>'code' AS code, CAST(CAST(band->>'min' AS DECIMAL(18,3)) * 1000 AS BIGINT) AS min_th
FROM (SELECT idx, year, block, unnest(CAST(doc->'bands' AS JSON[])) AS band, generate_subscripts(CAST(doc->'bands' AS JSON[]), 1) AS ord FROM fw);

CREATE TABLE units AS
SELECT unit, block FROM ev
WHERE type = 'unit.registered' AND seq IN (SELECT MIN(seq) FROM ev WHERE type = 'unit.registered' GROUP BY unit);

DROP TABLE raw;
