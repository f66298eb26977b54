-- Session-scoped tables for `clv --method predictive` (and at_risk). The engine fits the
-- models in Swift on the rows of the analysis' `rfm_summary` step (the rfm_summary model),
-- COPYs the results in here, and then runs the analysis' statement, which reads them.
-- Temporary: private to the connection.

-- name: create_predictions
-- The key's unique index comes after the COPY (index_predictions): built from the sorted
-- rows at once, it costs a fraction of a million insertions into it.
CREATE TEMPORARY TABLE IF NOT EXISTS clv_predictions (
    customer_key       bigint NOT NULL,
    frequency          double precision,
    recency            double precision,
    "T"                double precision,
    monetary           double precision,
    p_alive            double precision,
    expected_purchases double precision,
    expected_avg_value double precision,
    clv                double precision
);

-- name: create_params
CREATE TEMPORARY TABLE IF NOT EXISTS clv_model_params (
    model     text NOT NULL,
    parameter text NOT NULL,
    value     double precision
);

-- name: clear
TRUNCATE clv_predictions, clv_model_params;

-- name: copy_predictions
COPY clv_predictions (customer_key, frequency, recency, "T", monetary, p_alive, expected_purchases, expected_avg_value, clv) FROM STDIN (FORMAT binary);

-- name: index_predictions
-- Unique, as the primary key it replaces; kept by the TRUNCATE when the session fits again.
CREATE UNIQUE INDEX IF NOT EXISTS clv_predictions_customer_key ON clv_predictions (customer_key);

-- name: copy_params
COPY clv_model_params (model, parameter, value) FROM STDIN;
