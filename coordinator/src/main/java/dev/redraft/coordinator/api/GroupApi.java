package dev.redraft.coordinator.api;

import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import java.util.function.BooleanSupplier;

/** This node's replica of one Raft group, as the API serves it: its Raft side, health, readiness and Redis. */
public record GroupApi(RaftNode raft, NodeHealth health, NodeReadiness readiness, ReplicaVerifier verifier,
    BooleanSupplier redisHealthy, String redisAddress) {}
