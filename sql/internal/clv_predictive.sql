-- Session-scoped tables for `clv --method predictive`. The engine fits the models in Swift
-- on the rows of clv.sql's `rfm_summary` step, COPYs the results in here, and then runs the
-- predictive statements of clv.sql, which read them. Temporary: private to the connection.

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
COPY clv_predictions (customer_key, frequency, recency, "T", monetary, p_alive, expected_purchases, expected_avg_value, clv) FROM STDIN;

-- name: copy_params
COPY clv_model_params (model, parameter, value) FROM STDIN;
