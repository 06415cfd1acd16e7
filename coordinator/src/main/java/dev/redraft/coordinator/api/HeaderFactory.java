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
    return header(brief.nodeId(), brief.leaderId(), brief.term(), brief.appliedIndex());
  }

  ResponseHeader header(RaftStatus status) {
    return header(status.nodeId(), status.leaderId(), status.term(), status.appliedIndex());
  }

  private ResponseHeader header(String nodeId, String leaderId, long term, long appliedIndex) {
    ResponseHeader.Builder header = ResponseHeader.newBuilder()
        .setClusterId(clusterId)
        .setNodeId(nodeId)
        .setLeaderId(leaderId)
        .setTerm(term)
        .setAppliedIndex(appliedIndex);
    members.get(leaderId).ifPresent(m -> header.setLeaderApiAddress(m.apiAddress()));
    return header.build();
  }
}
