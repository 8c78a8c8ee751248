-- wrk script for POST /api/orders/: two lines per order, a different pair of
-- products each time (so the benchmark is not one hot row), bearer token from
-- the environment. Stock is seeded high enough that nothing runs out.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local products = tonumber(os.getenv("BENCH_PRODUCTS"))
local counter = 0

request = function()
  counter = counter + 1
  local first = (counter * 7919) % products + 1
  local second = first % products + 1
  local body = string.format(
    '{"items":[{"product_id":%d,"quantity":1},{"product_id":%d,"quantity":2}]}',
    first, second)
  return wrk.format(nil, nil, nil, body)
end
