package dev.redraft.api;

/**
 * Redis Cluster's key slot: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key modulo
 * 16384, where a key holding a non-empty {@code {...}} hash tag is hashed on the tag alone (the text
 * between its first {@code {} and the next {@code }}), so related keys can be kept in one slot.
 * The same function as Redis', so cluster-aware clients and Redraft agree on where a key lives (the
 * coordinator routes by it, and the client library sends a key straight to the leader of its slot's
 * group); beside the wire contract, which both build on.
 */
public final class KeySlot {
  public static final int SLOTS = 16384;

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private KeySlot() {}

  /** The slot of {@code key} (0..16383). */
  public static int of(byte[] key) {
    int start = 0;
    int end = key.length;
    int open = indexOf(key, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(key, (byte) '}', open + 1);
      if (close > open + 1) {
        start = open + 1;
        end = close;
      }
    }
    return crc16(key, start, end) & (SLOTS - 1);
  }

  /** CRC16 (XMODEM) of bytes[from..to). */
  public static int crc16(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
