-- Seckill check-and-decrement, the usual Redis design that scripts/bench
-- compares the mall engine with. One atomic script per order attempt.
--   KEYS[1] stock counter          (string, e.g. stock:1)
--   KEYS[2] units bought per user  (hash user id -> count, e.g. bought:1)
--   KEYS[3] order queue            (list of user ids, drained by a worker)
--   ARGV[1] user id, ARGV[2] per-user limit
-- Returns the order's position in the queue, -1 if sold out, -2 if the user
-- reached the limit.
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock <= 0 then
  return -1
end
local bought = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if bought >= tonumber(ARGV[2]) then
  return -2
end
redis.call('DECR', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return redis.call('RPUSH', KEYS[3], ARGV[1])
