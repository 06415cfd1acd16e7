package dev.redraft.client.cli.output;

import dev.redraft.api.v1.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code -o raw}: a bulk value is written as its exact bytes, with nothing added, so {@code redraft -o
 * raw get k > file} gives back what {@code redraft -x set k < file} stored; (nil) writes nothing. The
 * items of an array and the replies of a batch are written one after another, each followed by a
 * newline; integers, statuses and errors as text lines.
 */
public final class RawReplyPrinter implements ReplyPrinter {
  private final OutputStream stdout;

  public RawReplyPrinter(OutputStream stdout) {
    this.stdout = stdout;
  }

  @Override
  public void print(Reply reply, PrintWriter out) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(reply, bytes, false);
    emit(bytes, out);
  }

  @Override
  public void printAll(List<Reply> replies, PrintWriter out) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    replies.forEach(reply -> write(reply, bytes, true));
    emit(bytes, out);
  }

  private static void write(Reply reply, ByteArrayOutputStream bytes, boolean inList) {
    switch (reply.getKindCase()) {
      case BULK -> {
        bytes.writeBytes(reply.getBulk().toByteArray());
        if (inList) {
          bytes.write('\n');
        }
      }
      case NIL, KIND_NOT_SET -> {
        if (inList) {
          bytes.write('\n');
        }
      }
      case ARRAY -> reply.getArray().getItemsList().forEach(item -> write(item, bytes, true));
      case STATUS -> line(reply.getStatus(), bytes);
      case INTEGER -> line(Long.toString(reply.getInteger()), bytes);
      case ERROR -> line("(error) " + DisplayText.message(reply.getError()), bytes);
    }
  }

  private static void line(String text, ByteArrayOutputStream bytes) {
    bytes.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private void emit(ByteArrayOutputStream bytes, PrintWriter out) {
    out.flush();
    try {
      bytes.writeTo(stdout);
      stdout.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write to standard output: " + e.getMessage(), e);
    }
  }
}
