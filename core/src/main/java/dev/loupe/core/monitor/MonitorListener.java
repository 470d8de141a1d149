package dev.loupe.core.monitor;

import java.util.List;

/** Receives each window's numbers and alerts as the monitor goes, in time order. */
@FunctionalInterface
public interface MonitorListener {
  void window(WindowPoint point, List<Alert> alerts);
}
