"""Python's cluster-aware client (redis.cluster.RedisCluster, Debian's python3-redis), unchanged,
against a Redraft RESP port: it reads the slot layout with CLUSTER SLOTS and routes by slot.

Usage: python3 python_cluster_client.py PORT PASSWORD LEADER_CLUSTER_PORT. Exits 0 and prints "ok" when every check
holds; otherwise an AssertionError names the check that failed.
"""
import sys

from redis.cluster import RedisCluster

port, password, leader_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rc = RedisCluster(host="127.0.0.1", port=port, password=password, decode_responses=True)

assert rc.ping() is True
assert rc.set("pyc:a", "1") is True and rc.get("pyc:a") == "1"
assert rc.incr("pyc:{tag}:n") == 1 and rc.incr("pyc:{tag}:n") == 2
# Keys with one hash tag share a slot: one multi-key command.
assert rc.mset({"{acct}:x": "10", "{acct}:y": "20"}) is True
assert rc.mget("{acct}:x", "{acct}:y") == ["10", "20"]
assert rc.keyslot("{acct}:x") == rc.keyslot("acct") == rc.cluster_keyslot("{acct}:y")
# One Raft group: every slot at the leader's port for cluster-aware clients, the followers as replicas.
nodes = rc.get_nodes()
primaries = [node for node in nodes if node.server_type == "primary"]
assert len(nodes) == 3 and len(primaries) == 1 and primaries[0].port == leader_port, nodes
print("ok")
