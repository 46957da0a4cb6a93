namespace Barometer.Venues.Common;

/// <summary>
/// Reconnect delays per ../CONNECTORS.md: 1 s doubling to 60 s, with ±20% jitter so many
/// connections do not reconnect in step, reset once a connection has been healthy for a minute.
/// Deterministic for a given seed (tests).
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly Random _jitter;
    private int _attempt;

    /// <summary>Creates a backoff; <paramref name="seed"/> fixes the jitter sequence.</summary>
    public ReconnectBackoff(int? seed = null, TimeSpan? initial = null, TimeSpan? maximum = null, TimeSpan? healthyReset = null)
    {
        _jitter = seed is int s ? new Random(s) : new Random();
        Initial = initial ?? TimeSpan.FromSeconds(1);
        Maximum = maximum ?? TimeSpan.FromSeconds(60);
        HealthyReset = healthyReset ?? TimeSpan.FromMinutes(1);
    }

    /// <summary>First delay.</summary>
    public TimeSpan Initial { get; }

    /// <summary>Largest delay.</summary>
    public TimeSpan Maximum { get; }

    /// <summary>A connection healthy this long resets the sequence.</summary>
    public TimeSpan HealthyReset { get; }

    /// <summary>Attempts since the last reset.</summary>
    public int Attempt => _attempt;

    /// <summary>The delay before the next attempt (without jitter: Initial × 2^attempt, capped).</summary>
    public TimeSpan NextDelay()
    {
        double baseSeconds = Math.Min(Maximum.TotalSeconds, Initial.TotalSeconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        double factor = 0.8 + (_jitter.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(Math.Min(Maximum.TotalSeconds, baseSeconds * factor));
    }

    /// <summary>Call when a connection ends; resets when it had been healthy for <see cref="HealthyReset"/>.</summary>
    public void ConnectionEnded(TimeSpan healthyFor)
    {
        if (healthyFor >= HealthyReset)
        {
            _attempt = 0;
        }
    }
}
