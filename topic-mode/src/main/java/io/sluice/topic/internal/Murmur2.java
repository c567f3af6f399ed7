package io.sluice.topic.internal;

/** Kafka's murmur2 (seed 0x9747b28c), bit for bit, so keys map to the partitions Kafka would pick. Stateless. */
public final class Murmur2 {

  private Murmur2() {
  }

  public static int hash(byte[] data) {
    int length = data.length;
    int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      int i4 = i * 4;
      int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
          + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    int rest = length % 4;
    // Kafka's switch falls through from 3 to 1; the same steps, spelled out.
    if (rest == 3) {
      h ^= (data[tail + 2] & 0xff) << 16;
    }
    if (rest >= 2) {
      h ^= (data[tail + 1] & 0xff) << 8;
    }
    if (rest >= 1) {
      h ^= data[tail] & 0xff;
      h *= m;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }

  public static int partition(byte[] key, int partitions) {
    return (hash(key) & 0x7fffffff) % partitions;
  }
}
