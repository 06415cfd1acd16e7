package dev.redraft.client;

import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ResponseHeader;

/**
 * The answer to a read.
 *
 * @param header where the answering node stands (term, leader, applied index)
 * @param reply Redis' reply to the command
 */
public record ReadResult(ResponseHeader header, Reply reply) {}
