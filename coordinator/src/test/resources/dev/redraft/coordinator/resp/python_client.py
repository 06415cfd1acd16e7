"""Python's redis client (Debian's python3-redis), unchanged, against a Redraft RESP port.

Usage: python3 python_client.py PORT PASSWORD. Exits 0 and prints "ok" when every check holds;
otherwise an AssertionError names the check that failed.
"""
import sys

import redis

port, password = int(sys.argv[1]), sys.argv[2]
r = redis.Redis(host="127.0.0.1", port=port, password=password, decode_responses=True)

assert r.ping() is True
# Strings, with a binary-safe value.
assert r.set("py:s", "hello") is True
assert r.get("py:s") == "hello"
assert r.incr("py:n") == 1 and r.incrby("py:n", 41) == 42
raw = redis.Redis(host="127.0.0.1", port=port, password=password)
blob = bytes(range(256))
raw.set("py:blob", blob)
assert raw.get("py:blob") == blob, "binary value changed on the way"
# Hashes, lists, sets, sorted sets.
assert r.hset("py:h", mapping={"a": "1", "b": "2"}) == 2
assert r.hgetall("py:h") == {"a": "1", "b": "2"}
assert r.rpush("py:l", "x", "y", "z") == 3 and r.lrange("py:l", 0, -1) == ["x", "y", "z"]
assert r.sadd("py:set", "m1", "m2") == 2 and r.smembers("py:set") == {"m1", "m2"}
assert r.zadd("py:z", {"one": 1, "two": 2}) == 2
assert r.zrange("py:z", 0, -1, withscores=True) == [("one", 1.0), ("two", 2.0)]
assert r.expire("py:s", 100) is True and 0 < r.ttl("py:s") <= 100
# A pipeline (no transaction): replies in order.
p = r.pipeline(transaction=False)
for _ in range(50):
    p.incr("py:pipelined")
p.get("py:pipelined")
replies = p.execute()
assert replies[:50] == list(range(1, 51)) and replies[50] == "50", replies
# MULTI/EXEC through a transactional pipeline.
t = r.pipeline(transaction=True)
t.set("py:tx", "1").incr("py:tx").incrby("py:tx", 10)
assert t.execute() == [True, 2, 12]
# A command Redraft refuses gives a Redis error, not a broken connection.
try:
    r.execute_command("EVAL", "return 1", 0)
    raise AssertionError("EVAL was accepted")
except redis.ResponseError as e:
    assert "not supported by Redraft" in str(e), e
assert r.get("py:tx") == "12"
print("ok")
