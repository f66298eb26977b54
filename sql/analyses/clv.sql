-- analysis: clv
-- summary: Customer lifetime value, three ways: historical, formula, predictive (BG/NBD + Gamma-Gamma).
-- description: Net value of an order = amount − its returns; cancelled orders never count.
--   historical: each buyer's net value to date (everything loaded). formula: AOV × purchases
--   per customer per year × --margin × expected lifetime in years, over the year before the end
--   of the --as-of day: AOV = net value ÷ orders and purchases per customer = orders ÷ buyers of
--   that year, lifetime = 1 ÷ annual churn rate, the churn_rate of that one-year period (active
--   = a purchase in the previous --window days); per customer this is their net value of the
--   year × margin × lifetime, so the mean over customers is the textbook product.
--   predictive (default): BG/NBD for future purchases and Gamma-Gamma for their average value,
--   fitted by maximum likelihood on the RFM summary at the end of --as-of (default the last
--   purchase day; local days in --tz; purchases on the same day are one transaction; returns
--   made after --as-of are ignored). CLV over --horizon months = Σ E[purchases in month i] ×
--   E[average value] × margin ÷ (1 + discount)^i. Default output: a summary by first-purchase
--   cohort (customers, mean, median, p90, total) with an all-customers row (empty cohort);
--   --per-customer gives one row per customer; --params the fitted parameters.
-- grain: one row per cohort plus an all-customers row (--per-customer: per customer; --params: per model parameter)
-- unique: cohort
-- unique[predictive_params]: model, parameter
-- unique[predictive_per_customer]: customer_key
-- unique[historical_per_customer]: customer_key
-- unique[formula_per_customer]: customer_key
-- param: $1 method choice(historical,formula,predictive) = predictive : How to value customers.
-- param: $2 tz timezone = UTC : Time zone of days and cohort periods.
-- param: $3 period choice(day,week,month,quarter,year) = month : Cohort period of the summary.
-- param: $4 as_of date : Last day of the data used (formula, predictive), inclusive. Default: the last purchase day.
-- param: $5 unit choice(week,day) = week : Unit of frequency, recency and T (predictive).
-- param: $6 horizon int(1..) = 12 : Months of future value summed (predictive).
-- param: $7 discount numeric = 0.01 : Monthly discount rate (predictive).
-- param: $8 margin numeric = 1.0 : Share of net value that is profit (formula, predictive).
-- param: $9 window int(1..) = 90 : Days without purchase after which a customer counts as lost, for the annual churn rate (formula).
-- param: per_customer flag : One row per customer instead of the cohort summary.
-- param: params flag : The fitted model parameters (predictive only).
-- The columns below are the default shape, the predictive summary; `column[QUERY]:` lines give
-- the other shapes' own.
-- column: method text : predictive.
-- column: cohort date : Local start date of the first-purchase period; empty on the all-customers row.
-- column: customers bigint : Buyers up to --as-of.
-- column: mean_value numeric : Mean CLV of the cohort's customers.
-- column: median_value float8 : Median (percentile_cont).
-- column: p90_value float8 : 90th percentile (percentile_cont).
-- column: total_value numeric : Sum.
-- column: mean_p_alive float8 : Mean probability of being alive at --as-of.
-- column: expected_purchases float8 : Expected purchases over --horizon months, summed over the cohort.
-- column: mean_expected_avg_value float8 : Mean expected value of a future purchase (Gamma-Gamma).
-- column[historical]: method text : historical.
-- column[historical]: cohort date : Local start date of the first-purchase period; empty on the all-customers row.
-- column[historical]: customers bigint : Every buyer.
-- column[historical]: mean_value numeric : Mean CLV of the cohort's customers.
-- column[historical]: median_value float8 : Median (percentile_cont).
-- column[historical]: p90_value float8 : 90th percentile (percentile_cont).
-- column[historical]: total_value numeric : Sum.
-- column[historical]: orders bigint : Orders of the cohort's customers.
-- column[historical]: gross numeric : Their amounts.
-- column[historical]: returned numeric : Their returns.
-- column[formula]: method text : formula.
-- column[formula]: cohort date : Local start date of the first-purchase period; empty on the all-customers row.
-- column[formula]: customers bigint : Buyers of the year that ends with --as-of.
-- column[formula]: mean_value numeric : Mean CLV of the cohort's customers.
-- column[formula]: median_value float8 : Median (percentile_cont).
-- column[formula]: p90_value float8 : 90th percentile (percentile_cont).
-- column[formula]: total_value numeric : Sum.
-- column[formula]: aov numeric : Net value ÷ orders of the year.
-- column[formula]: purchases_per_year numeric : Orders ÷ buyers of the year.
-- column[formula]: annual_churn_rate float8 : churn_rate's definition over that year (--window).
-- column[formula]: lifetime_years float8 : 1 ÷ annual_churn_rate; empty when it is 0.
-- column[formula]: margin numeric : --margin.
-- column[formula]: as_of date : The last day used.
-- column[predictive_per_customer]: customer_key bigint : The customer.
-- column[predictive_per_customer]: cohort date : Local start date of their first-purchase period.
-- column[predictive_per_customer]: frequency float8 : Distinct purchase days − 1, up to --as-of.
-- column[predictive_per_customer]: recency float8 : Last − first purchase day, in --unit.
-- column[predictive_per_customer]: T float8 : --as-of − first purchase day, in --unit.
-- column[predictive_per_customer]: monetary float8 : Mean net value of the repeat purchase days; empty without repeats.
-- column[predictive_per_customer]: p_alive float8 : Probability of being alive at --as-of (BG/NBD).
-- column[predictive_per_customer]: expected_purchases float8 : Expected purchases over --horizon months.
-- column[predictive_per_customer]: expected_avg_value float8 : Expected value of a future purchase (Gamma-Gamma).
-- column[predictive_per_customer]: clv float8 : Discounted value over --horizon months × --margin.
-- column[historical_per_customer]: customer_key bigint : The customer.
-- column[historical_per_customer]: cohort date : Local start date of their first-purchase period.
-- column[historical_per_customer]: first_purchase_at timestamptz : Their first valid purchase.
-- column[historical_per_customer]: orders bigint : Their valid purchases.
-- column[historical_per_customer]: gross numeric : Their amounts.
-- column[historical_per_customer]: returned numeric : Their returns.
-- column[historical_per_customer]: net_value numeric : gross − returned: the customer's historical CLV.
-- column[formula_per_customer]: customer_key bigint : The customer (a buyer of the year).
-- column[formula_per_customer]: cohort date : Local start date of their first-purchase period.
-- column[formula_per_customer]: orders bigint : Their orders of the year.
-- column[formula_per_customer]: net_value numeric : Their net value of the year.
-- column[formula_per_customer]: as_of date : The last day used.
-- column[formula_per_customer]: annual_churn_rate float8 : churn_rate's definition over that year (--window).
-- column[formula_per_customer]: lifetime_years float8 : 1 ÷ annual_churn_rate; empty when it is 0.
-- column[formula_per_customer]: margin numeric : --margin.
-- column[formula_per_customer]: clv numeric : net_value × margin × lifetime_years.
-- column[predictive_params]: model text : bgnbd or gamma_gamma.
-- column[predictive_params]: parameter text : r, alpha, a, b; p, q, gamma; log_likelihood, customers (and excluded_customers).
-- column[predictive_params]: value float8 : The parameter's value.
-- prepare: predictive_clv from rfm_summary when method=predictive
-- query: predictive_params when method=predictive, params
SELECT mp.model, mp.parameter, mp.value
FROM clv_model_params AS mp
ORDER BY mp.model, CASE mp.parameter WHEN 'log_likelihood' THEN 2 WHEN 'customers' THEN 3 ELSE 1 END,
         array_position(ARRAY['r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'], mp.parameter), mp.parameter
-- query: predictive_per_customer when method=predictive, per_customer
SELECT cp.customer_key, period_label($3::text, $2::text, f.first_purchase_at) AS cohort,
       cp.frequency, cp.recency, cp."T", cp.monetary, cp.p_alive, cp.expected_purchases,
       cp.expected_avg_value, cp.clv
FROM clv_predictions AS cp
JOIN customer_first_purchase AS f ON f.customer_key = cp.customer_key
ORDER BY cp.customer_key
-- query: predictive when method=predictive
-- First purchases (customer_first_purchase: from customer_totals when the summaries are
-- current) joined once (cohorts is read by summary; materialized, it keeps the plan of its
-- join: merge join on the primary key), not once more for each end of the period series. The
-- float sums depend on the order of their rows: cohorts holds them in customer order, whatever
-- the join's plan (the order of clv_predictions, which the engine fills in customer order);
-- and on how the sort by cohort breaks ties, so summary's input stays these columns at this
-- work_mem. cohorts holds only what summary reads (half the temporary file of cp.*). The
-- periods run from the first to the last cohort, as they did from the first to the last first
-- purchase (period_series truncates its ends to the period, as period_label does), so cohorts
-- is not scanned twice more for them.
WITH cohorts AS MATERIALIZED (
    SELECT period_label($3::text, $2::text, f.first_purchase_at) AS cohort,
           cp.clv, cp.p_alive, cp.expected_purchases, cp.expected_avg_value
    FROM clv_predictions AS cp
    JOIN customer_first_purchase AS f ON f.customer_key = cp.customer_key
    ORDER BY cp.customer_key
),
summary AS (
    SELECT c.cohort, GROUPING(c.cohort) AS is_total,
           count(*) AS customers,
           avg(c.clv)::numeric AS mean_value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.clv) AS median_value,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY c.clv) AS p90_value,
           sum(c.clv)::numeric AS total_value,
           avg(c.p_alive) AS mean_p_alive,
           sum(c.expected_purchases) AS expected_purchases,
           avg(c.expected_avg_value) AS mean_expected_avg_value
    FROM cohorts AS c
    GROUP BY GROUPING SETS ((c.cohort), ())
),
periods AS (
    SELECT ps.period
    FROM period_series($3::text, $2::text, NULL, NULL,
                       (SELECT min(s.cohort) FROM summary AS s)::timestamp AT TIME ZONE $2::text,
                       (SELECT max(s.cohort) FROM summary AS s)::timestamp AT TIME ZONE $2::text) AS ps
)
SELECT 'predictive' AS method, p.period AS cohort, coalesce(s.customers, 0) AS customers,
       s.mean_value, s.median_value, s.p90_value, s.total_value,
       s.mean_p_alive, s.expected_purchases, s.mean_expected_avg_value
FROM periods AS p
LEFT JOIN (SELECT * FROM summary WHERE is_total = 0) AS s ON s.cohort = p.period
UNION ALL
SELECT 'predictive', NULL, s.customers, s.mean_value, s.median_value, s.p90_value, s.total_value,
       s.mean_p_alive, s.expected_purchases, s.mean_expected_avg_value
FROM summary AS s WHERE s.is_total = 1
ORDER BY 2 NULLS LAST
-- query: historical_per_customer when method=historical, per_customer
-- From customer_totals (kept exact by every load) unless the summaries are not current.
SELECT pf.customer_key, period_label($3::text, $2::text, min(pf.ordered_at)) AS cohort,
       min(pf.ordered_at) AS first_purchase_at, count(*) AS orders,
       sum(pf.amount) AS gross, sum(pf.returned_amount) AS returned, sum(pf.net_value) AS net_value
FROM purchase_facts AS pf
WHERE NOT (SELECT customer_summaries_current(true))
GROUP BY pf.customer_key
UNION ALL
SELECT t.customer_key, period_label($3::text, $2::text, t.first_purchase_at), t.first_purchase_at, t.orders,
       t.gross, t.returned, t.gross - t.returned
FROM customer_totals AS t
WHERE (SELECT customer_summaries_current(true))
ORDER BY 1
-- query: historical when method=historical
-- From customer_totals (kept exact by every load) unless the summaries are not current.
WITH customer_values AS (
    SELECT pf.customer_key, min(pf.ordered_at) AS first_at, period_label($3::text, $2::text, min(pf.ordered_at)) AS cohort,
           count(*) AS orders, sum(pf.amount) AS gross, sum(pf.returned_amount) AS returned,
           sum(pf.net_value) AS net_value
    FROM purchase_facts AS pf
    WHERE NOT (SELECT customer_summaries_current(true))
    GROUP BY pf.customer_key
    UNION ALL
    SELECT t.customer_key, t.first_purchase_at, period_label($3::text, $2::text, t.first_purchase_at),
           t.orders, t.gross, t.returned, t.gross - t.returned
    FROM customer_totals AS t
    WHERE (SELECT customer_summaries_current(true))
),
periods AS (
    SELECT ps.period
    FROM period_series($3::text, $2::text, NULL, NULL,
                       (SELECT min(first_at) FROM customer_values),
                       (SELECT max(first_at) FROM customer_values)) AS ps
),
summary AS (
    SELECT v.cohort, GROUPING(v.cohort) AS is_total,
           count(*) AS customers,
           avg(v.net_value) AS mean_value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.net_value) AS median_value,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY v.net_value) AS p90_value,
           sum(v.net_value) AS total_value,
           sum(v.orders) AS orders, sum(v.gross) AS gross, sum(v.returned) AS returned
    FROM customer_values AS v
    GROUP BY GROUPING SETS ((v.cohort), ())
)
SELECT 'historical' AS method, p.period AS cohort, coalesce(s.customers, 0) AS customers,
       s.mean_value, s.median_value, s.p90_value, coalesce(s.total_value, 0) AS total_value,
       coalesce(s.orders, 0) AS orders, coalesce(s.gross, 0) AS gross, coalesce(s.returned, 0) AS returned
FROM periods AS p
LEFT JOIN (SELECT * FROM summary WHERE is_total = 0) AS s ON s.cohort = p.period
UNION ALL
SELECT 'historical', NULL, s.customers, s.mean_value, s.median_value, s.p90_value, s.total_value,
       s.orders, s.gross, s.returned
FROM summary AS s WHERE s.is_total = 1
ORDER BY 2 NULLS LAST
-- query: formula_per_customer when method=formula, per_customer
WITH settings AS (
    SELECT $2::text AS tz, $3::text AS period, $8::numeric AS margin, $9::int AS window_days,
           coalesce($4::date, ((SELECT max(ordered_at) FROM valid_purchases) AT TIME ZONE $2::text)::date) AS as_of
),
year_bounds AS (
    SELECT s.*, ((s.as_of + 1)::timestamp - interval '1 year') AT TIME ZONE s.tz AS year_start,
           (s.as_of + 1)::timestamp AT TIME ZONE s.tz AS year_end
    FROM settings AS s
),
-- churn_rate's definition for the single period [year_start, year_end). MATERIALIZED: computed
-- once; inlined, the call was repeated in every output row (three times each).
annual_churn AS MATERIALIZED (
    SELECT churn_rate_between(y.year_start, y.year_end, y.window_days, y.tz) AS churn_rate
    FROM year_bounds AS y
),
year_customers AS (
    SELECT pf.customer_key, count(*) AS orders, sum(pf.net_value) AS net_value
    FROM purchase_facts AS pf CROSS JOIN year_bounds AS y
    WHERE pf.ordered_at >= y.year_start AND pf.ordered_at < y.year_end
    GROUP BY pf.customer_key
)
SELECT yc.customer_key, period_label(y.period, y.tz, f.first_purchase_at) AS cohort,
       yc.orders, yc.net_value, y.as_of, ac.churn_rate AS annual_churn_rate,
       1 / nullif(ac.churn_rate, 0) AS lifetime_years, y.margin,
       yc.net_value * y.margin * (1 / nullif(ac.churn_rate, 0))::numeric AS clv
FROM year_customers AS yc
JOIN customer_first_purchase AS f ON f.customer_key = yc.customer_key
CROSS JOIN year_bounds AS y
CROSS JOIN annual_churn AS ac
ORDER BY yc.customer_key
-- query: formula when method=formula
WITH settings AS (
    SELECT $2::text AS tz, $3::text AS period, $8::numeric AS margin, $9::int AS window_days,
           coalesce($4::date, ((SELECT max(ordered_at) FROM valid_purchases) AT TIME ZONE $2::text)::date) AS as_of
),
year_bounds AS (
    SELECT s.*, ((s.as_of + 1)::timestamp - interval '1 year') AT TIME ZONE s.tz AS year_start,
           (s.as_of + 1)::timestamp AT TIME ZONE s.tz AS year_end
    FROM settings AS s
),
-- churn_rate's definition for the single period [year_start, year_end).
annual_churn AS (
    SELECT churn_rate_between(y.year_start, y.year_end, y.window_days, y.tz) AS churn_rate
    FROM year_bounds AS y
),
year_customers AS (
    SELECT pf.customer_key, period_label(y.period, y.tz, min(f.first_purchase_at)) AS cohort,
           count(*) AS orders, sum(pf.net_value) AS net_value
    FROM purchase_facts AS pf
    CROSS JOIN year_bounds AS y
    JOIN customer_first_purchase AS f ON f.customer_key = pf.customer_key
    WHERE pf.ordered_at >= y.year_start AND pf.ordered_at < y.year_end
    GROUP BY pf.customer_key, y.period, y.tz
),
valued AS (
    SELECT yc.*, yc.net_value * y.margin * (1 / nullif(ac.churn_rate, 0))::numeric AS clv
    FROM year_customers AS yc CROSS JOIN year_bounds AS y CROSS JOIN annual_churn AS ac
),
summary AS (
    SELECT v.cohort, GROUPING(v.cohort) AS is_total,
           count(*) AS customers,
           avg(v.clv) AS mean_value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.clv) AS median_value,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY v.clv) AS p90_value,
           sum(v.clv) AS total_value,
           sum(v.net_value) / nullif(sum(v.orders), 0) AS aov,
           sum(v.orders)::numeric / count(*) AS purchases_per_year
    FROM valued AS v
    GROUP BY GROUPING SETS ((v.cohort), ())
)
SELECT 'formula' AS method, CASE WHEN s.is_total = 0 THEN s.cohort END AS cohort, s.customers,
       s.mean_value, s.median_value, s.p90_value, s.total_value,
       s.aov, s.purchases_per_year, ac.churn_rate AS annual_churn_rate,
       1 / nullif(ac.churn_rate, 0) AS lifetime_years, y.margin, y.as_of
FROM summary AS s CROSS JOIN annual_churn AS ac CROSS JOIN year_bounds AS y
ORDER BY s.is_total, s.cohort
-- step: rfm_summary
-- One row per buyer up to the end of the --as-of day (local): frequency, recency, T (in --unit)
-- and monetary, as the model rfm_summary defines them (sql/models/rfm_summary.sql); at_risk
-- fits on the same rows. No ORDER BY: the engine puts the rows in customer order (one pass
-- when they already are, as customer_rfm's physical order usually is).
SELECT r.customer_key, r.frequency, r.recency, r."T", r.monetary
FROM rfm_summary($4::date, $2::text, $5::text) AS r
