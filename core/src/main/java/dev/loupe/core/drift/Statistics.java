package dev.loupe.core.drift;

/**
 * The distribution functions the drift tests need, implemented here so that core takes no math
 * library: the Kolmogorov distribution's survival function and the chi-square survival function
 * (through the regularized upper incomplete gamma function, Numerical Recipes 6.2: series for
 * x &lt; a + 1, Lentz's continued fraction otherwise; log-gamma by Lanczos, g = 7, n = 9).
 * Accuracy: about 1e-12 relative, far below what the thresholds (0.05, 0.15) can tell apart.
 */
final class Statistics {
  private Statistics() {}

  /**
   * P(K &gt; lambda) for the Kolmogorov distribution: 2 sum_{j&gt;=1} (-1)^(j-1) exp(-2 j^2 lambda^2),
   * the asymptotic p-value of a KS statistic D with lambda = sqrt(n_eff) * D. For small lambda the
   * alternating series converges slowly, so the equivalent Jacobi-theta form
   * 1 - sqrt(2 pi)/lambda sum_{j&gt;=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2)) is used there.
   */
  static double kolmogorovSurvival(double lambda) {
    if (Double.isNaN(lambda)) {
      return Double.NaN;
    }
    if (lambda <= 0) {
      return 1.0;
    }
    if (lambda < 1.18) {
      double sum = 0;
      double c = Math.PI * Math.PI / (8 * lambda * lambda);
      for (int j = 1; j <= 50; j++) {
        double k = 2 * j - 1;
        double term = Math.exp(-k * k * c);
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      return clamp01(1 - Math.sqrt(2 * Math.PI) / lambda * sum);
    }
    double sum = 0;
    for (int j = 1; j <= 100; j++) {
      double term = Math.exp(-2.0 * j * j * lambda * lambda);
      sum += (j % 2 == 1 ? term : -term);
      if (term < 1e-17) {
        break;
      }
    }
    return clamp01(2 * sum);
  }

  /** P(X &gt; x) for X chi-square distributed with {@code df} degrees of freedom. */
  static double chiSquareSurvival(double x, double df) {
    if (Double.isNaN(x) || df <= 0) {
      return Double.NaN;
    }
    if (x <= 0) {
      return 1.0;
    }
    if (Double.isInfinite(x)) {
      return 0.0;
    }
    return regularizedGammaQ(df / 2, x / 2);
  }

  /** Q(a, x) = Gamma(a, x) / Gamma(a), the regularized upper incomplete gamma function. */
  static double regularizedGammaQ(double a, double x) {
    if (x < 0 || a <= 0) {
      throw new IllegalArgumentException("Q(a, x) needs a > 0 and x >= 0, got a=" + a + ", x=" + x);
    }
    if (x == 0) {
      return 1.0;
    }
    if (x < a + 1) {
      return clamp01(1 - gammaPSeries(a, x));
    }
    return clamp01(gammaQContinuedFraction(a, x));
  }

  private static double gammaPSeries(double a, double x) {
    double ap = a;
    double del = 1.0 / a;
    double sum = del;
    for (int n = 0; n < 10_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) {
        break;
      }
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }

  private static double gammaQContinuedFraction(double a, double x) {
    final double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10_000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < tiny) {
        d = tiny;
      }
      c = b + an / c;
      if (Math.abs(c) < tiny) {
        c = tiny;
      }
      d = 1 / d;
      double del = d * c;
      h *= del;
      if (Math.abs(del - 1) < 1e-16) {
        break;
      }
    }
    return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
  }

  private static final double[] LANCZOS = {
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
      -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
      1.5056327351493116e-7};

  /** ln Gamma(x) for x &gt; 0 (Lanczos approximation, g = 7). */
  static double logGamma(double x) {
    if (x < 0.5) {
      // reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x)
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    x -= 1;
    double sum = LANCZOS[0];
    double t = x + 7.5;
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  private static double clamp01(double v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }
}
