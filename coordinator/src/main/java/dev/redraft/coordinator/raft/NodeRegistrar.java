package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.RegisterNodeEntry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's API and Redis addresses through the log (as etcd members publish their
 * client URLs), retrying until the cluster has a leader and the entry is applied.
 */
public final class NodeRegistrar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistrar.class);

  private final String nodeId;
  private final MemberDirectory.MemberAddresses addresses;
  private final RaftNode raft;
  private final MemberDirectory members;
  private final Thread thread;
  private volatile boolean running = true;

  /** {@code respAddress} (and {@code respClusterAddress}): empty when the node has no such port. */
  public NodeRegistrar(String nodeId, MemberDirectory.MemberAddresses addresses, RaftNode raft,
      MemberDirectory members) {
    this.nodeId = nodeId;
    this.addresses = addresses;
    this.raft = raft;
    this.members = members;
    this.thread = new Thread(this::run, "redraft-registrar-" + nodeId);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    Proposal proposal = Proposal.newBuilder().setRegisterNode(RegisterNodeEntry.newBuilder()
        .setNodeId(nodeId)
        .setApiAddress(addresses.apiAddress())
        .setRedisAddress(addresses.redisAddress())
        .setRespAddress(addresses.respAddress())
        .setRespClusterAddress(addresses.respClusterAddress())).build();
    while (running && !registered()) {
      try {
        long index = raft.propose(proposal).get(10, TimeUnit.SECONDS).logIndex();
        if (awaitRegistered(index)) {
          LOG.info("node {} registered its addresses: api {}, redis {}, resp {}, resp for cluster clients {}", nodeId,
              addresses.apiAddress(), addresses.redisAddress(), addresses.respAddress().isEmpty() ? "off" : addresses.respAddress(),
              addresses.respClusterAddress().isEmpty() ? "off" : addresses.respClusterAddress());
        } else if (running) {
          // Logged in an older entry format without the newer addresses: a leader of an older version. Not
          // proposed again: once a newer node leads, the newer format would stop every node still older.
          LOG.warn("node {}: the leader kept its registration without some of its addresses (kept: {}; a leader of"
              + " an older version?): once every node runs this version, restart this node to publish them all",
              nodeId, members.get(nodeId).map(Object::toString).orElse("none"));
        }
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.debug("node {}: registering its addresses failed ({}); retrying", nodeId, e.toString());
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private boolean registered() {
    return members.get(nodeId).map(addresses::equals).orElse(false);
  }

  /**
   * Whether this node's replica, once it applied the registration at {@code index} (the leader applied it
   * first; a catch-up may take a while), holds every address of it (the directory is updated just after).
   */
  private boolean awaitRegistered(long index) throws InterruptedException {
    while (running && raft.brief().appliedIndex() < index) {
      Thread.sleep(100);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (running && !registered() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return registered();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
