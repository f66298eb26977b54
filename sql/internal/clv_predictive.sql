-- Session-scoped tables for `clv --method predictive` (and at_risk). The engine fits the
-- models in Swift on the rows of the analysis' `rfm_summary` step (the rfm_summary model),
-- COPYs the results in here, and then runs the analysis' statement, which reads them.
-- Temporary: private to the connection.

-- name: create_predictions
CREATE TEMPORARY TABLE IF NOT EXISTS clv_predictions (
    customer_key       bigint PRIMARY KEY,
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

-- name: copy_params
COPY clv_model_params (model, parameter, value) FROM STDIN;
