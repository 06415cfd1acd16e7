/**
 * The command catalog: which Redis commands Redraft accepts, how they are checked before they enter
 * the Raft log, and how the leader makes writes deterministic (relative TTLs become absolute
 * deadlines). Plain Java: no Redis, Ratis, gRPC or protobuf types.
 */
package dev.redraft.coordinator.command;
