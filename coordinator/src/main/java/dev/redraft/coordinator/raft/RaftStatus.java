package dev.redraft.coordinator.raft;

import java.util.Map;

/** This node's Raft view at one moment. {@code leaderId} is empty when no leader is known. */
public record RaftStatus(
    String nodeId,
    String role,
    long term,
    String leaderId,
    long commitIndex,
    long appliedIndex,
    Map<String, String> peers) {}
