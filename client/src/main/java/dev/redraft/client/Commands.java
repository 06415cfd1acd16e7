package dev.redraft.client;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import java.util.List;

/** Builds {@link Command} messages; String arguments are sent as UTF-8. */
public final class Commands {
  private Commands() {}

  public static Command of(String name, String... args) {
    return of(name, List.of(args));
  }

  public static Command of(String name, List<String> args) {
    Command.Builder command = Command.newBuilder().setName(checkName(name));
    for (String arg : args) {
      command.addArgs(ByteString.copyFromUtf8(arg));
    }
    return command.build();
  }

  public static Command of(String name, byte[]... args) {
    Command.Builder command = Command.newBuilder().setName(checkName(name));
    for (byte[] arg : args) {
      command.addArgs(ByteString.copyFrom(arg));
    }
    return command.build();
  }

  private static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a command needs a name, e.g. SET or GET");
    }
    return name;
  }
}
