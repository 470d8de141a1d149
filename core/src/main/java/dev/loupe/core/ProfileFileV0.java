package dev.loupe.core;

/** Reads whylogs v0 profiles (one varint-delimited DatasetProfileMessage) into v1 metrics. */
final class ProfileFileV0 {
  private ProfileFileV0() {}

  static boolean looksLikeV0(byte[] bytes) {
    return false;
  }

  static ProfileView read(byte[] bytes, String source) throws ProfileFormatException {
    throw new ProfileFormatException(source + ": whylogs v0 files are not supported yet");
  }
}
