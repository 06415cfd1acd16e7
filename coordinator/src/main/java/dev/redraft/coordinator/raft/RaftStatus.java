package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.Set;

/**
 * This node's Raft view at one moment. {@code leaderId} is empty when no leader is known; {@code peers}
 * holds every member (voters and learners) with its Raft address, {@code learners} the non-voting ones;
 * {@code firstLogIndex} is the oldest entry still in this node's log (older ones were purged after a snapshot).
 */
public record RaftStatus(
    String nodeId,
    String role,
    long term,
    String leaderId,
    long commitIndex,
    long appliedIndex,
    Map<String, String> peers,
    Set<String> learners,
    long firstLogIndex) {}
