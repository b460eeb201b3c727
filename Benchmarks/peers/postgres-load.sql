-- PostgreSQL: load `parledger export` JSON Lines with COPY into the tables
-- ranking-postgres.sql reads. {events} is replaced by the path of the JSON Lines file.
-- CSV mode with quote and delimiter bytes that JSON never contains, so each
-- line arrives whole and backslashes stay as they are.
CREATE FUNCTION idiv(bigint, bigint) RETURNS bigint AS 'SELECT $1 / $2' LANGUAGE sql IMMUTABLE STRICT;
-- The key of the "ratio" ranking rule: points/max scaled by 10^18 and
-- truncated (exact integer division of numerics); see duckdb-load.sql.
CREATE FUNCTION ratio_key(bigint, bigint) RETURNS numeric AS 'SELECT div($1::numeric * 1000000000000000000, $2)' LANGUAGE sql IMMUTABLE STRICT;

CREATE UNLOGGED TABLE raw (doc jsonb);
COPY raw FROM '{events}' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');

CREATE UNLOGGED TABLE ev AS
SELECT CAST(doc->>'seq' AS BIGINT) AS seq, doc->>'type' AS type, doc->>'id' AS id, doc->>'unit' AS unit,
       COALESCE(doc->>'index', 'PAR') AS idx, CAST(doc->>'year' AS INTEGER) AS year, doc->>'item' AS item,
       doc->>'block' AS block, CAST(doc->>'score' AS DECIMAL(18,3)) AS score,
       COALESCE(CAST(doc->>'notApplicable' AS BOOLEAN), FALSE) AS na, CAST(doc->>'round' AS INTEGER) AS round,
       doc->>'target' AS target, doc->>'appeal' AS appeal, doc->>'outcome' AS outcome
FROM raw WHERE doc->>'type' <> 'framework.published';

CREATE UNLOGGED TABLE fw AS
SELECT seq, idx, year, block, doc FROM (
    SELECT CAST(doc->>'seq' AS BIGINT) AS seq, COALESCE(doc->>'index', 'PAR') AS idx, CAST(doc->>'year' AS INTEGER) AS year,
           doc->>'block' AS block, doc,
           ROW_NUMBER() OVER (PARTITION BY COALESCE(doc->>'index', 'PAR'), doc->>'year', doc->>'block' ORDER BY CAST(doc->>'seq' AS BIGINT)) AS rn
    FROM raw WHERE doc->>'type' = 'framework.published') x
WHERE rn = 1;

CREATE UNLOGGED TABLE fw_items AS
SELECT idx, year, block, it->>'code' AS item, CAST(it->>'max' AS DECIMAL(18,3)) AS max, COALESCE(it->>'source', 'assessment') AS source
FROM fw, jsonb_array_elements(doc->'areas') AS area, jsonb_array_elements(area->'criteria') AS crit, jsonb_array_elements(crit->'items') AS it;

-- The framework's ranking rule (absent: percent2, the default).
CREATE UNLOGGED TABLE fw_rule AS
SELECT idx, year, block, COALESCE(doc->'ranking'->>'order', 'percent2') AS rule FROM fw;

CREATE UNLOGGED TABLE fw_bands AS
SELECT idx, year, block, ord, band->>'code' AS code, CAST(CAST(band->>'min' AS DECIMAL(18,3)) * 1000 AS BIGINT) AS min_th
FROM fw, jsonb_array_elements(doc->'bands') WITH ORDINALITY AS b(band, ord);

CREATE UNLOGGED TABLE units AS
SELECT unit, block FROM ev
WHERE type = 'unit.registered' AND seq IN (SELECT MIN(seq) FROM ev WHERE type = 'unit.registered' GROUP BY unit);

DROP TABLE raw;
-- An index on the event type, as an analyst would add: the planner cannot
-- know how few appeals are resolved upheld (too rare for its sample) and
-- joins them to the filed ones by a nested loop; without the index each step
-- of that loop scans the whole event table (over 7 minutes at national
-- scale; 40 s of ranking with it).
CREATE INDEX ev_type ON ev (type);
ANALYZE;
