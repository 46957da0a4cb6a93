namespace Barometer.Analytics.Flow;

/// <summary>Turns window sums into the snapshot records (formulas in docs/metrics/flow.md).</summary>
internal static class FlowCalc
{
    /// <summary>At most this many completed minutes form the trend history.</summary>
    public const int TrendHistoryMinutes = 60;

    /// <summary>The trend is unavailable with fewer completed minutes.</summary>
    public const int MinTrendHistoryMinutes = 10;

    /// <summary>Intensity HIGH above this multiple of the baseline.</summary>
    public const double HighIntensity = 2.0;

    /// <summary>Intensity LOW below this multiple of the baseline.</summary>
    public const double LowIntensity = 0.5;

    /// <summary>Trade-size change (percent) beyond which the size trend is increasing / decreasing.</summary>
    public const double SizeTrendPercent = 10.0;

    public static double Percent(double part, double whole) => whole > 0 ? 100.0 * part / whole : double.NaN;

    public static FlowWindow Window(in WindowSums s, int windowSeconds, int observedSeconds, bool usd, string? usdReason)
    {
        int covered = Math.Min(windowSeconds, observedSeconds);
        bool complete = observedSeconds >= windowSeconds;
        var reasons = new List<string>(3);
        if (usdReason is not null)
        {
            reasons.Add(usdReason);
        }

        long trades = s.Trades;
        double vwap = double.NaN, min = double.NaN, max = double.NaN;
        if (trades > 0)
        {
            // Σp·q / Σq can round one ulp outside [min, max] (e.g. one trade: p·q / q ≠ p); the VWAP
            // of real prices never does, so the rounding is clamped away.
            vwap = Math.Clamp(s.SumPriceQty / s.SumQty, s.MinPrice, s.MaxPrice);
            min = s.MinPrice;
            max = s.MaxPrice;
        }
        else
        {
            reasons.Add("no trades in window");
        }

        double aggressor = double.NaN;
        if (s.SellCount > 0)
        {
            aggressor = (double)s.BuyCount / s.SellCount;
        }
        else if (trades > 0)
        {
            reasons.Add("no sell trades (aggressor ratio)");
        }

        double buyUsd = double.NaN, sellUsd = double.NaN, total = double.NaN, rate = double.NaN, avg = double.NaN,
            avgBuy = double.NaN, avgSell = double.NaN, sizeImbalance = double.NaN, ofi = double.NaN, buyPct = double.NaN,
            net = double.NaN, netPerMinute = double.NaN;
        if (usd)
        {
            buyUsd = s.BuyUsd;
            sellUsd = s.SellUsd;
            total = buyUsd + sellUsd;
            net = buyUsd - sellUsd;
            if (covered > 0)
            {
                rate = total / covered;
                netPerMinute = net * 60.0 / covered;
            }

            if (trades > 0)
            {
                avg = total / trades;
            }

            if (s.BuyCount > 0)
            {
                avgBuy = buyUsd / s.BuyCount;
            }

            if (s.SellCount > 0)
            {
                avgSell = sellUsd / s.SellCount;
            }

            if (s.BuyCount > 0 && s.SellCount > 0)
            {
                sizeImbalance = (avgBuy - avgSell) / (avgBuy + avgSell);
            }
            else if (trades > 0)
            {
                reasons.Add(s.BuyCount == 0 ? "no buy trades (avg buy size, size imbalance)" : "no sell trades (avg sell size, size imbalance)");
            }

            if (total > 0)
            {
                ofi = 100.0 * (buyUsd - sellUsd) / total;
                buyPct = 100.0 * buyUsd / total;
            }
        }

        return new FlowWindow(windowSeconds, covered, complete, buyUsd, sellUsd, total, s.BuyCount, s.SellCount, trades,
            vwap, min, max, rate, avg, avgBuy, avgSell, sizeImbalance, aggressor, ofi, buyPct, net, netPerMinute,
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    public static FlowTrend Trend(double current, double[] history, string? usdReason)
    {
        int n = history.Length;
        if (usdReason is not null)
        {
            return new FlowTrend(double.NaN, n, double.NaN, double.NaN, double.NaN, null, null, usdReason);
        }

        if (n < MinTrendHistoryMinutes)
        {
            return new FlowTrend(current, n, double.NaN, double.NaN, double.NaN, null, null,
                $"needs {MinTrendHistoryMinutes} completed minutes of history (have {n})");
        }

        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += history[i];
        }

        mean /= n;
        double variance = 0;
        for (int i = 0; i < n; i++)
        {
            double d = history[i] - mean;
            variance += d * d;
        }

        double sigma = Math.Sqrt(variance / n);
        if (!(sigma > 0))
        {
            return new FlowTrend(current, n, mean, sigma, double.NaN, null, null, "history has no variation (standard deviation 0)");
        }

        double z = (current - mean) / sigma;
        var arrow = ArrowOf(z);
        return new FlowTrend(current, n, mean, sigma, z, arrow, ArrowText(arrow), null);
    }

    public static TrendArrow ArrowOf(double z) => z switch
    {
        > 2 => TrendArrow.StrongUp,
        > 1 => TrendArrow.Up,
        > 0.5 => TrendArrow.SlightUp,
        < -2 => TrendArrow.StrongDown,
        < -1 => TrendArrow.Down,
        < -0.5 => TrendArrow.SlightDown,
        _ => TrendArrow.Flat,
    };

    public static string ArrowText(TrendArrow arrow) => arrow switch
    {
        TrendArrow.StrongUp => "↑↑↑",
        TrendArrow.Up => "↑↑",
        TrendArrow.SlightUp => "↑",
        TrendArrow.SlightDown => "↓",
        TrendArrow.Down => "↓↓",
        TrendArrow.StrongDown => "↓↓↓",
        _ => "→",
    };

    public static TradeIntensity Intensity(long trades1m, long trades15m, int observedSeconds)
    {
        int covered = Math.Min(60, observedSeconds);
        double tps = covered > 0 ? (double)trades1m / covered : double.NaN;
        if (observedSeconds < 900)
        {
            return new TradeIntensity(tps, double.NaN, double.NaN, null, $"baseline needs 900 s observed (have {observedSeconds} s)");
        }

        double baseline = trades15m / 900.0;
        if (!(baseline > 0))
        {
            return new TradeIntensity(tps, baseline, double.NaN, null, "no trades in the 15m baseline");
        }

        double ratio = tps / baseline;
        var level = ratio > HighIntensity ? IntensityLevel.High : ratio < LowIntensity ? IntensityLevel.Low : IntensityLevel.Medium;
        return new TradeIntensity(tps, baseline, ratio, level, null);
    }

    public static TradeSizeTrend SizeTrend(in WindowSums last, in WindowSums previous, int observedSeconds, bool usd, string? usdReason)
    {
        if (!usd)
        {
            return new TradeSizeTrend(double.NaN, double.NaN, double.NaN, null, usdReason);
        }

        double from = previous.Trades > 0 ? previous.TotalUsd / previous.Trades : double.NaN;
        double to = last.Trades > 0 ? last.TotalUsd / last.Trades : double.NaN;
        if (observedSeconds < 360)
        {
            return new TradeSizeTrend(from, to, double.NaN, null, $"needs 360 s observed (have {observedSeconds} s)");
        }

        if (previous.Trades == 0 || last.Trades == 0)
        {
            return new TradeSizeTrend(from, to, double.NaN, null,
                previous.Trades == 0 ? "no trades in the previous 5m" : "no trades in the last 1m");
        }

        double change = 100.0 * (to - from) / from;
        var direction = change > SizeTrendPercent ? SizeTrendDirection.Increasing
            : change < -SizeTrendPercent ? SizeTrendDirection.Decreasing
            : SizeTrendDirection.Steady;
        return new TradeSizeTrend(from, to, change, direction, null);
    }

    public static TickDirection Ticks(in WindowSums oneMinute, TickStreakDirection direction, int streak, double lastPrice)
    {
        long ticks = oneMinute.Upticks + oneMinute.Downticks;
        return ticks > 0
            ? new TickDirection(oneMinute.Upticks, oneMinute.Downticks, 100.0 * oneMinute.Upticks / ticks, direction, streak, lastPrice, null)
            : new TickDirection(0, 0, double.NaN, direction, streak, lastPrice, "no upticks or downticks in 1m");
    }

    public static ExchangeDominance Dominance(VenueShare[] shares, double total5m, double total15m)
    {
        if (!(total15m > 0))
        {
            return new ExchangeDominance(shares, null, double.NaN, null, double.NaN, "no USD volume in 15m");
        }

        if (!(total5m > 0))
        {
            return new ExchangeDominance(shares, null, double.NaN, null, double.NaN, "no USD volume in 5m");
        }

        if (shares.Length < 2)
        {
            return new ExchangeDominance(shares, null, double.NaN, null, double.NaN, "one venue market only (no migration)");
        }

        int gainer = 0, loser = 0;
        for (int i = 1; i < shares.Length; i++)
        {
            if (shares[i].MigrationPoints > shares[gainer].MigrationPoints)
            {
                gainer = i;
            }

            if (shares[i].MigrationPoints < shares[loser].MigrationPoints)
            {
                loser = i;
            }
        }

        return new ExchangeDominance(shares, shares[gainer].Instrument, shares[gainer].MigrationPoints,
            shares[loser].Instrument, shares[loser].MigrationPoints, null);
    }
}
