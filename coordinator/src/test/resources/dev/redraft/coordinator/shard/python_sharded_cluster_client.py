"""Python's cluster-aware client (redis.cluster.RedisCluster, Debian's python3-redis), unchanged,
against one RESP port of a sharded Redraft cluster: it reads the slot layout with CLUSTER SLOTS and
sends each key to the node serving its slot.

Usage: python3 python_sharded_cluster_client.py PORT. Writes and reads 40 keys, then prints one line
per key: "KEY PORT", the RESP port the client sent it to (the caller checks it is the key's group's leader).
"""
import sys

from redis.cluster import RedisCluster

rc = RedisCluster(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
keys = ["pysh:%d" % i for i in range(40)]
for key in keys:
    assert rc.set(key, key + "-v") is True, key
for key in keys:
    assert rc.get(key) == key + "-v", key
for key in keys:
    print(key, rc.get_node_from_key(key).port)
