package dev.loupe.report;

import dev.loupe.core.monitor.History;
import dev.loupe.core.monitor.Monitor;
import dev.loupe.core.monitor.MonitorResult;
import dev.loupe.core.monitor.SyntheticHistory;
import dev.loupe.core.monitor.WindowPoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A monitored synthetic history with a null spike at window 30 and a shift from window 50, for page tests. */
final class MonitorPages {
  static final int WINDOWS = 72;
  static final List<WindowPoint> POINTS = new ArrayList<>();
  static final MonitorResult RESULT;

  static {
    SyntheticHistory h = new SyntheticHistory(11);
    h.scale = 0.2;
    h.nullSpike = 30;
    h.shiftFrom = 50;
    Iterator<History.WindowProfile> it = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < WINDOWS;
      }

      @Override
      public History.WindowProfile next() {
        int k = i++;
        return new History.WindowProfile(SyntheticHistory.start(k), SyntheticHistory.start(k + 1), h.window(k), 1, 0);
      }
    };
    RESULT = Monitor.builder().trailing(12).build().run(it, SyntheticHistory.HOUR, (p, a) -> POINTS.add(p));
  }

  private MonitorPages() {}
}
