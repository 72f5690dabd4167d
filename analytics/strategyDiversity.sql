-- How diverse are the sampled planning strategies, per task and dataset: distinct strategies, Shannon entropy
-- (bits) of their distribution, its maximum log2(distinct), and the share of each strategy (a MAP).
CREATE OR REPLACE VIEW strategy_diversity AS
WITH counts AS (
  SELECT task, dataset, strategy, count(*) AS actions
  FROM strategy_sampled GROUP BY ALL
),
shares AS (
  SELECT *, actions / sum(actions) OVER (PARTITION BY task, dataset) AS share FROM counts
)
SELECT task, dataset, sum(actions)::BIGINT AS actions, count(*) AS strategies,
       round(-sum(share * log2(share)), 4) + 0.0 AS entropy_bits, -- + 0.0 turns -0 into 0
       round(log2(count(*)), 4) AS max_entropy_bits,
       map(list(strategy ORDER BY strategy), list(round(share, 4) ORDER BY strategy)) AS share
FROM shares GROUP BY task, dataset
ORDER BY task, dataset;
