package dev.redraft.coordinator.api;

import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;

/** Builds the header every response carries: where the caller stands. */
final class HeaderFactory {
  private final String clusterId;
  private final RaftNode raft;
  private final MemberDirectory members;

  HeaderFactory(String clusterId, RaftNode raft, MemberDirectory members) {
    this.clusterId = clusterId;
    this.raft = raft;
    this.members = members;
  }

  ResponseHeader header() {
    RaftNode.Brief brief = raft.brief();
    ResponseHeader.Builder header = ResponseHeader.newBuilder()
        .setClusterId(clusterId)
        .setNodeId(brief.nodeId())
        .setLeaderId(brief.leaderId())
        .setTerm(brief.term())
        .setAppliedIndex(brief.appliedIndex());
    members.get(brief.leaderId()).ifPresent(m -> header.setLeaderApiAddress(m.apiAddress()));
    return header.build();
  }

  ResponseHeader header(RaftStatus status) {
    ResponseHeader.Builder header = ResponseHeader.newBuilder()
        .setClusterId(clusterId)
        .setNodeId(status.nodeId())
        .setLeaderId(status.leaderId())
        .setTerm(status.term())
        .setAppliedIndex(status.appliedIndex());
    members.get(status.leaderId()).ifPresent(m -> header.setLeaderApiAddress(m.apiAddress()));
    return header.build();
  }
}
