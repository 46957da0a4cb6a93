using System.Collections.Concurrent;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// Fault switches for one emulated venue, flipped by tests (or the `simulate` verb) while the
/// emulator runs. Every venue emulator honours every switch in its venue's terms (a sequence gap
/// is a skipped Binance `u`, a skipped OKX `seqId`, a jump in Bybit `u`). Thread-safe.
/// </summary>
public sealed class EmulatorFaults
{
    private readonly ConcurrentQueue<int> _restFailures = new();
    private int _sequenceGaps;
    private int _badChecksums;
    private long _restDelayTicks;
    private readonly Lock _stallGate = new();
    private TaskCompletionSource? _resumed;

    /// <summary>Raised by <see cref="DropConnections"/>; sessions abort their sockets.</summary>
    public event Action? ConnectionsDropped;

    /// <summary>Raised by <see cref="InjectFrame"/> with the raw text to send to every session.</summary>
    public event Action<string>? FrameInjected;

    /// <summary>
    /// While true the venue sends nothing (no data, no acks, no pongs, no server pings): a stalled
    /// connection that stays open. The venue also stops reading its sockets, so WebSocket-level
    /// Pings get no Pong either; what clients send meanwhile waits in the socket and is answered
    /// once the stall ends (like a frozen process). Frames published while stalled are dropped.
    /// </summary>
    public bool Stalled
    {
        get => Volatile.Read(ref _resumed) is not null;
        set
        {
            lock (_stallGate)
            {
                if (value && _resumed is null)
                {
                    Volatile.Write(ref _resumed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }
                else if (!value && _resumed is { } resumed)
                {
                    Volatile.Write(ref _resumed, null);
                    resumed.TrySetResult();
                }
            }
        }
    }

    /// <summary>Completes when the venue is not stalled (at once when it is not).</summary>
    internal Task WhenNotStalled => Volatile.Read(ref _resumed)?.Task ?? Task.CompletedTask;

    /// <summary>
    /// Topics (venue stream names, e.g. "btcusdt@aggTrade", "publicTrade.BTCUSDT",
    /// "trades:BTC-USDT-SWAP") whose subscription is rejected with the venue's real error reply.
    /// </summary>
    public ConcurrentDictionary<string, bool> RejectedTopics { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Topics that are acknowledged but never deliver — what Binance's retired USD-M paths did in
    /// 2026. Same naming as <see cref="RejectedTopics"/>. A venue may also mark whole paths silent.
    /// </summary>
    public ConcurrentDictionary<string, bool> SilentTopics { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Delay added before every REST response.</summary>
    public TimeSpan RestDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _restDelayTicks));
        set => Interlocked.Exchange(ref _restDelayTicks, value.Ticks);
    }

    /// <summary>Aborts every open WebSocket of the venue (a dropped connection, no close frame).</summary>
    public void DropConnections() => ConnectionsDropped?.Invoke();

    /// <summary>Sends raw text (malformed, truncated, unknown message) to every open session.</summary>
    public void InjectFrame(string text) => FrameInjected?.Invoke(text);

    /// <summary>The next <paramref name="count"/> REST responses fail with <paramref name="statusCode"/> (429, 500, 503 …).</summary>
    public void FailNextRest(int statusCode, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            _restFailures.Enqueue(statusCode);
        }
    }

    /// <summary>Takes the next scripted REST failure, if any.</summary>
    public bool TryTakeRestFailure(out int statusCode) => _restFailures.TryDequeue(out statusCode);

    /// <summary>The next book message of each affected stream skips a sequence id (once per call).</summary>
    public void GapNextSequence() => Interlocked.Increment(ref _sequenceGaps);

    /// <summary>Consumes one requested sequence gap.</summary>
    public bool TryTakeSequenceGap() => TryTake(ref _sequenceGaps);

    /// <summary>The next book message carries a wrong checksum (OKX; a real CRC32 mode must be on).</summary>
    public void CorruptNextChecksum() => Interlocked.Increment(ref _badChecksums);

    /// <summary>Consumes one requested bad checksum.</summary>
    public bool TryTakeBadChecksum() => TryTake(ref _badChecksums);

    private static bool TryTake(ref int counter)
    {
        while (true)
        {
            int current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
